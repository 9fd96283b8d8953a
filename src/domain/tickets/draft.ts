/**
 * A match being put together around one seed. Each candidate is judged against the whole set
 * it would join in O(1) (plus the ticket's regions and a budgeted packing check), from running
 * summaries: rating range, window bounds, waits, per-region worst latency, party sizes.
 *
 * The rules, for members M at time `now` (w_i = windowAt(wait_i), L_i = latencyAllowedAt(wait_i)):
 * - window, `own`:        for every i, r_i − w_i ≤ min(r) and max(r) ≤ r_i + w_i;
 *   `oldest` / `newest`:  max(r) − min(r) ≤ w of the member with the longest / shortest wait;
 * - region (when configured): some region g that every member reports with lat_i[g] ≤ L_i
 *   (`own`) or ≤ L of the oldest / newest member;
 * - party size: max(size) − min(size) ≤ partySize.maxSpread (when set);
 * - layout: every party inside one team, no team over `size` (a group: at most maxPlayers).
 */
import type { PoolEntry } from "./pool.js";
import { maxPlayersOf, type QueueConfig, TimeoutReason, WindowClock } from "./queue.js";
import { packParties } from "./teams.js";
import { latencyAllowedAt, waitAt, windowAt } from "./window.js";

export class MatchDraft {
  readonly members: PoolEntry[];
  /** Team index per member, when the layout has teams (a packing that fits). */
  packing: number[] | null = null;
  players: number;
  minRating: number;
  maxRating: number;
  private lo: number;
  private hi: number;
  private oldestWait: number;
  private newestWait: number;
  private minParty: number;
  private maxParty: number;
  /** Region → worst latency among members; `own`: only regions every member accepts. */
  private regions: Map<string, number> | null = null;
  private regionOk = true;
  /** The seed alone breaks the layout (a party larger than a team): nothing can be added. */
  private readonly impossible: boolean;

  constructor(
    private readonly queue: QueueConfig,
    private readonly now: number,
    seed: PoolEntry,
  ) {
    const t = seed.ticket;
    const wait = waitAt(t.enqueuedAt, now);
    const w = windowAt(queue, wait);
    this.members = [seed];
    this.players = t.playerIds.length;
    [this.minRating, this.maxRating] = [t.rating, t.rating];
    [this.lo, this.hi] = [t.rating - w, t.rating + w];
    [this.oldestWait, this.newestWait] = [wait, wait];
    [this.minParty, this.maxParty] = [this.players, this.players];
    if (queue.region !== null) {
      const own = queue.windowClock === WindowClock.OWN;
      const allowed = latencyAllowedAt(queue, wait);
      this.regions = new Map(Object.entries(t.latencies ?? {}).filter(([, ms]) => !own || ms <= allowed));
      // `own` already dropped the regions this member refuses; the others judge the worst latency.
      this.regionOk = bestOf(this.regions, own ? Infinity : allowed) !== null;
    }
    const layout = queue.teams;
    if (layout.kind === "teams") {
      this.packing = packParties([this.players], layout.count, layout.size);
      this.impossible = this.packing === null;
    } else {
      this.impossible = this.players > layout.maxPlayers;
    }
  }

  /** Whether the layout holds no more players: stop looking. */
  get full(): boolean {
    return this.players >= maxPlayersOf(this.queue.teams);
  }

  /** Whether the members form a match that can be proposed now. */
  get complete(): boolean {
    if (this.impossible || !this.regionOk) return false;
    const layout = this.queue.teams;
    return layout.kind === "teams" ? this.players === layout.count * layout.size : this.players >= layout.minPlayers;
  }

  /**
   * Adds `c` when the set with it still satisfies every rule; otherwise returns the first rule
   * it breaks (window, then region, then party size / layout) and changes nothing.
   */
  consider(c: PoolEntry): TimeoutReason | null {
    const q = this.queue;
    const t = c.ticket;
    const size = t.playerIds.length;
    if (this.impossible) return TimeoutReason.PARTY_SIZE;
    const wait = waitAt(t.enqueuedAt, this.now);
    const min = Math.min(this.minRating, t.rating);
    const max = Math.max(this.maxRating, t.rating);
    const oldestWait = Math.max(this.oldestWait, wait);
    const newestWait = Math.min(this.newestWait, wait);
    const clockWait = q.windowClock === WindowClock.OLDEST ? oldestWait : q.windowClock === WindowClock.NEWEST ? newestWait : wait;
    let lo = this.lo;
    let hi = this.hi;
    if (q.windowClock === WindowClock.OWN) {
      const w = windowAt(q, wait);
      lo = Math.max(lo, t.rating - w);
      hi = Math.min(hi, t.rating + w);
      if (lo > min || max > hi) return TimeoutReason.NO_ONE_WITHIN_WINDOW;
    } else if (max - min > windowAt(q, clockWait)) {
      return TimeoutReason.NO_ONE_WITHIN_WINDOW;
    }

    let regions = this.regions;
    if (regions !== null) {
      const own = q.windowClock === WindowClock.OWN;
      const allowed = latencyAllowedAt(q, clockWait);
      const next = new Map<string, number>();
      for (const [region, worst] of regions) {
        const ms = t.latencies?.[region];
        if (ms !== undefined && (!own || ms <= allowed)) next.set(region, Math.max(worst, ms));
      }
      if (bestOf(next, own ? Infinity : allowed) === null) return TimeoutReason.NO_REGION;
      regions = next;
    }

    const minParty = Math.min(this.minParty, size);
    const maxParty = Math.max(this.maxParty, size);
    if (q.partySize.maxSpread !== null && maxParty - minParty > q.partySize.maxSpread) return TimeoutReason.PARTY_SIZE;
    let packing = this.packing;
    const layout = q.teams;
    if (layout.kind === "teams") {
      if (this.players + size > layout.count * layout.size) return TimeoutReason.PARTY_SIZE;
      // A solo always fits where there is room; only a party can need the others moved.
      packing =
        size === 1
          ? [...packing!, firstRoom(packing!, this.members, layout.size)]
          : packParties([...this.members.map((m) => m.ticket.playerIds.length), size], layout.count, layout.size);
      if (packing === null) return TimeoutReason.PARTY_SIZE;
    } else if (this.players + size > layout.maxPlayers) {
      return TimeoutReason.PARTY_SIZE;
    }

    this.members.push(c);
    this.players += size;
    [this.minRating, this.maxRating, this.lo, this.hi] = [min, max, lo, hi];
    [this.oldestWait, this.newestWait, this.minParty, this.maxParty] = [oldestWait, newestWait, minParty, maxParty];
    this.regions = regions;
    this.regionOk = true;
    this.packing = packing;
    return null;
  }

  /** The match's region: the one with the lowest worst-member latency (ties: name), or null without a region rule. */
  region(): string | null {
    if (this.regions === null) return null;
    return bestOf(this.regions, Infinity);
  }
}

/** The region with the lowest worst latency, if that is within `allowed`; ties go to the lower name. */
function bestOf(regions: ReadonlyMap<string, number>, allowed: number): string | null {
  let best: string | null = null;
  let bestMs = Infinity;
  for (const [region, ms] of regions) {
    if (ms < bestMs || (ms === bestMs && best !== null && region < best)) [best, bestMs] = [region, ms];
  }
  return best !== null && bestMs <= allowed ? best : null;
}

function firstRoom(packing: readonly number[], members: readonly PoolEntry[], size: number): number {
  const loads: number[] = [];
  members.forEach((m, i) => (loads[packing[i]!] = (loads[packing[i]!] ?? 0) + m.ticket.playerIds.length));
  let t = 0;
  while ((loads[t] ?? 0) >= size) t++;
  return t;
}
