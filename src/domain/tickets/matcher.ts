/**
 * One matchmaking tick over a queue's pool: time out the tickets that waited too long, then
 * let up to `seedsPerTick` seeds (in round-robin order, oldest first) each try to build a match
 * from the `candidatesPerSeed` tickets nearest in rating. Cost per tick:
 * O(timeouts × log N + seeds × (candidatesPerSeed + log N)) — never O(N²), no subsets enumerated.
 */
import { MatchDraft } from "./draft.js";
import type { PoolEntry, RatingScan, TicketPool } from "./pool.js";
import { type QueueConfig, TIMEOUT_REASONS, TimeoutReason, WindowClock } from "./queue.js";
import { balanceTeams, type TeamSplit } from "./teams.js";
import { waitAt, windowAt } from "./window.js";

export interface TicketRef {
  readonly id: string;
  /** The version the proposal was made from: the commit must find the ticket SEARCHING at it. */
  readonly version: number;
}

export interface ProposedMatch {
  /** Seed first, then in the order they were chosen. */
  readonly tickets: readonly TicketRef[];
  /** Ticket ids per team (a group layout: one team). Parties are never split. */
  readonly teams: readonly (readonly string[])[];
  /** Mean member rating per team, each ticket weighted by its party size. */
  readonly teamRatings: readonly number[];
  /** Highest team rating − lowest (0 for a group). */
  readonly teamDifference: number;
  /** Highest member rating − lowest. */
  readonly ratingSpread: number;
  /** Where to host it: the region with the lowest worst-member latency; null without a region rule. */
  readonly region: string | null;
}

export interface TimedOutTicket extends TicketRef {
  readonly reason: TimeoutReason;
}

export interface TickResult {
  readonly matches: ProposedMatch[];
  readonly timedOut: TimedOutTicket[];
  /** Failed seed attempts in this tick, by the rule that failed most in each. */
  readonly failures: Record<TimeoutReason, number>;
  /** Ids of this tick's seeds, in order (≤ seedsPerTick). */
  readonly seeds: string[];
  /** Candidate examinations in this tick (≤ seeds × candidatesPerSeed): the matcher's work. */
  readonly examined: number;
}

/**
 * Runs one tick of `queue` on `pool` at `now` (epoch ms). Deterministic: the same pool state,
 * queue and `now` give the same result (no clock, no randomness; ties broken by id).
 *
 * What it changes: it removes from `pool` every ticket it proposes or times out, advances the
 * pool's seed round-robin and counts each failed seed attempt on that ticket. Nothing else — it
 * never touches committed state, and a proposal is only a proposal. The caller then, for each
 * match, commits atomically that every ticket is still SEARCHING at the proposed version. When
 * the commit loses a race, the caller re-adds (`pool.add`) the tickets still searching, at
 * their current version; the others are gone. Timed-out tickets likewise end TIMED_OUT only if
 * their version still matches, and are re-added at the newer version otherwise.
 *
 * Never throws for a pool built through `TicketPool.add` (validate tickets with
 * `validateTicket` first: an invalid one can only fail its attempts, never corrupt a match).
 */
export function tick(pool: TicketPool, queue: QueueConfig, now: number): TickResult {
  const failures = zeroCounts();
  const timedOut: TimedOutTicket[] = [];
  for (const entry of pool.enqueuedBy(now - queue.maxWaitMs)) {
    pool.remove(entry.ticket.id);
    timedOut.push({ id: entry.ticket.id, version: entry.ticket.version, reason: dominant(entry.failures) });
  }

  const index = pool.beginTick();
  // The oldest wait bounds every `oldest` window this tick (the pool only shrinks until it ends).
  const oldestEnqueuedAt = pool.oldestEnqueuedAt() ?? now;
  const matches: ProposedMatch[] = [];
  const seeds: string[] = [];
  let examined = 0;
  for (let n = 0; n < queue.seedsPerTick; n++) {
    const seed = pool.nextSeed(index);
    if (seed === undefined) break;
    seeds.push(seed.ticket.id);
    const attempt = tryMatch(pool, queue, now, seed, oldestEnqueuedAt);
    examined += attempt.examined;
    if ("match" in attempt) {
      for (const t of attempt.match.tickets) pool.remove(t.id);
      matches.push(attempt.match);
    } else {
      seed.failures[attempt.reason]++;
      failures[attempt.reason]++;
    }
  }
  return { matches, timedOut, failures, seeds, examined };
}

type Attempt = { examined: number; match: ProposedMatch } | { examined: number; reason: TimeoutReason };

function tryMatch(pool: TicketPool, queue: QueueConfig, now: number, seed: PoolEntry, oldestEnqueuedAt: number): Attempt {
  const draft = new MatchDraft(queue, now, seed);
  const counts = zeroCounts();
  const scan = scanLimits(queue, now, seed, oldestEnqueuedAt);
  let examined = 0;
  if (!draft.full) {
    for (const candidate of pool.nearest(seed, scan)) {
      examined++;
      const why = draft.consider(candidate);
      if (why !== null) counts[why]++;
      if (draft.full || examined >= queue.candidatesPerSeed) break;
    }
  }
  // Someone was there, only out of the seed's reach: that is a window failure too.
  if (scan.cut) counts[TimeoutReason.NO_ONE_WITHIN_WINDOW]++;
  if (draft.complete) {
    const match = propose(queue, draft);
    if (match) return { examined, match };
    counts[TimeoutReason.PARTY_SIZE]++;
  }
  const failed = TIMEOUT_REASONS.some((r) => counts[r] > 0);
  return { examined, reason: failed ? dominant(counts) : TimeoutReason.POOL_TOO_SMALL };
}

/**
 * How far in rating from the seed a candidate can possibly be: `own` — inside the seed's own
 * window; `newest` — the newest member's window is at most the seed's; `oldest` — at most the
 * window of the oldest ticket in the pool. Written as the rules themselves compare, so the
 * scan never stops short of a candidate the rules would accept.
 */
function scanLimits(queue: QueueConfig, now: number, seed: PoolEntry, oldestEnqueuedAt: number): RatingScan {
  const r = seed.ticket.rating;
  const own = windowAt(queue, waitAt(seed.ticket.enqueuedAt, now));
  if (queue.windowClock === WindowClock.OWN) {
    return { beyondUp: (x) => x > r + own, beyondDown: (x) => x < r - own, cut: false };
  }
  const bound = queue.windowClock === WindowClock.NEWEST ? own : windowAt(queue, waitAt(oldestEnqueuedAt, now));
  return { beyondUp: (x) => x - r > bound, beyondDown: (x) => r - x > bound, cut: false };
}

function propose(queue: QueueConfig, draft: MatchDraft): ProposedMatch | null {
  const parties = draft.members.map((m) => ({ id: m.ticket.id, size: m.ticket.playerIds.length, rating: m.ticket.rating }));
  let split: TeamSplit | null;
  if (queue.teams.kind === "teams") {
    split = balanceTeams(parties, queue.teams.count, queue.teams.size, draft.packing);
  } else {
    const mean = parties.reduce((s, p) => s + p.size * p.rating, 0) / draft.players;
    split = { teams: [parties.map((p) => p.id)], teamRatings: [mean], difference: 0 };
  }
  if (split === null) return null;
  return {
    tickets: draft.members.map((m) => ({ id: m.ticket.id, version: m.ticket.version })),
    teams: split.teams,
    teamRatings: split.teamRatings,
    teamDifference: split.difference,
    ratingSpread: draft.maxRating - draft.minRating,
    region: draft.region(),
  };
}

function zeroCounts(): Record<TimeoutReason, number> {
  return Object.fromEntries(TIMEOUT_REASONS.map((r) => [r, 0])) as Record<TimeoutReason, number>;
}

/** The reason counted most (ties: TIMEOUT_REASONS order); POOL_TOO_SMALL when nothing was counted. */
export function dominant(counts: Readonly<Record<TimeoutReason, number>>): TimeoutReason {
  let best: TimeoutReason = TimeoutReason.POOL_TOO_SMALL;
  let most = 0;
  for (const r of TIMEOUT_REASONS) {
    if (counts[r] > most) [best, most] = [r, counts[r]];
  }
  return best;
}
