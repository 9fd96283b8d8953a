import type { Logger } from "pino";
import type { Metrics } from "../metrics.js";
import type { GameService } from "../service/game-service.js";
import type { QueueTickStats } from "../service/ticket-matcher.js";
import { TicketStatus } from "../domain/tickets/ticket-record.js";
import { createPeriodic } from "./periodic.js";

export interface MatcherRunner {
  start(): void;
  /** Waits for a tick in progress; idempotent. */
  stop(): Promise<void>;
  /** One tick of every queue (the loop's step; tests drive it with their own clock). */
  tickOnce(): Promise<Map<string, QueueTickStats>>;
}

/**
 * Ticks every ticket queue of the catalog every `intervalMs`. Several workers may tick the
 * same queue at once: each commit is one atomic step that checks every ticket's version, so
 * they only cost each other stale proposals (counted), never a ticket in two games.
 */
export function createMatcherRunner(opts: { service: GameService; intervalMs: number; metrics: Metrics; logger: Logger }): MatcherRunner {
  const { service, metrics, logger } = opts;
  const matchers = service.queueMatchers();

  async function tickOnce(): Promise<Map<string, QueueTickStats>> {
    const out = new Map<string, QueueTickStats>();
    await Promise.all(
      matchers.map(async (m) => {
        const labels = { game_type: m.gameType, queue: m.queueId };
        try {
          const s = await m.runTick();
          out.set(`${m.gameType}/${m.queueId}`, s);
          metrics.ticketsWaiting.set(labels, s.waiting);
          if (s.matched) metrics.ticketsEnded.inc({ ...labels, outcome: TicketStatus.MATCHED, reason: "" }, s.matched);
          for (const [reason, n] of Object.entries(s.timeouts)) metrics.ticketsEnded.inc({ ...labels, outcome: TicketStatus.TIMED_OUT, reason }, n);
          for (const [reason, n] of Object.entries(s.failures)) if (n > 0) metrics.matchFailures.inc({ ...labels, reason }, n);
          if (s.stale) metrics.staleProposals.inc(labels, s.stale);
          for (const w of s.waitsMs) metrics.ticketWait.observe(labels, w / 1_000);
        } catch (err) {
          logger.warn({ err, ...labels }, "a matchmaking tick failed; retrying next interval");
        }
      }),
    );
    return out;
  }

  const loop = createPeriodic(tickOnce, opts.intervalMs, (err) => logger.warn({ err }, "matchmaking tick failed"));
  return { tickOnce, start: loop.start, stop: loop.stop };
}
