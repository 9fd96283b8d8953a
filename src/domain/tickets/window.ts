/**
 * How a ticket's tolerance widens with waiting. Both functions are pure, monotone
 * non-decreasing in the wait, and capped, so a ticket that waited longer never accepts less.
 */
import type { QueueConfig } from "./queue.js";

/** A ticket's wait at `now`; a ticket stamped in the future (clock skew) has waited 0, not less. */
export const waitAt = (enqueuedAt: number, now: number): number => Math.max(0, now - enqueuedAt);

/**
 * The rating half-width a ticket that has waited `waitMs` accepts: rating r accepts [r − w, r + w].
 * `steps`: the window of the last step whose afterMs has passed (initialWindow before the first);
 * `linear`: initialWindow + perSecond × seconds waited. Either way at most maxWindow.
 * Never throws; a negative or NaN wait counts as 0.
 */
export function windowAt(queue: Pick<QueueConfig, "rating">, waitMs: number): number {
  const { initialWindow, expansion, maxWindow } = queue.rating;
  const wait = waitMs > 0 ? waitMs : 0;
  let w = initialWindow;
  if (expansion.kind === "linear") {
    w = initialWindow + (expansion.perSecond * wait) / 1_000;
  } else {
    // Steps are few (validated increasing), so a scan is cheaper than a search.
    for (const step of expansion.steps) {
      if (wait < step.afterMs) break;
      w = Math.max(w, step.window);
    }
  }
  return Math.min(w, maxWindow);
}

/** How often a ticket's watcher hears of a window that widens linearly (steps are sent as each is reached). */
export const LINEAR_WINDOW_PUSH_MS = 5_000;

/**
 * The wait (ms, > `waitMs`) at which the rating window a ticket accepts next widens, or null
 * when it never will (at maxWindow, or no expansion left). `steps`: the next step that widens
 * it; `linear` (which widens continuously): `linearEveryMs` later, or when it reaches maxWindow
 * if sooner — a watcher hears of the window at that pace rather than at every instant.
 * Never throws; a negative or NaN wait counts as 0.
 */
export function nextWideningAt(queue: Pick<QueueConfig, "rating">, waitMs: number, linearEveryMs: number): number | null {
  const { initialWindow, expansion, maxWindow } = queue.rating;
  const wait = waitMs > 0 ? waitMs : 0;
  const now = windowAt(queue, wait);
  if (now >= maxWindow) return null;
  if (expansion.kind === "linear") {
    if (!(expansion.perSecond > 0)) return null;
    const capped = Math.ceil(((maxWindow - initialWindow) / expansion.perSecond) * 1_000);
    return Math.max(wait + 1, Math.min(wait + linearEveryMs, capped));
  }
  const step = expansion.steps.find((s) => s.afterMs > wait && Math.min(s.window, maxWindow) > now);
  return step ? step.afterMs : null;
}

/**
 * The highest latency (ms) a ticket that has waited `waitMs` accepts to its match's region:
 * maxLatencyMs, raised by each expansion step whose afterMs has passed. Infinity when the
 * queue has no region rule (any region, or none, will do). Never throws.
 */
export function latencyAllowedAt(queue: Pick<QueueConfig, "region">, waitMs: number): number {
  const rule = queue.region;
  if (rule === null) return Infinity;
  const wait = waitMs > 0 ? waitMs : 0;
  let allowed = rule.maxLatencyMs;
  for (const step of rule.expansion) {
    if (wait < step.afterMs) break;
    allowed = Math.max(allowed, step.maxLatencyMs);
  }
  return allowed;
}
