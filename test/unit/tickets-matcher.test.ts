import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseQueue } from "../../src/config/catalog-queues.js";
import { type ProposedMatch, type TickResult, tick } from "../../src/domain/tickets/matcher.js";
import { TicketPool } from "../../src/domain/tickets/pool.js";
import { type QueueConfig, TimeoutReason, WindowClock } from "../../src/domain/tickets/queue.js";
import type { Ticket } from "../../src/domain/tickets/ticket.js";
import { latencyAllowedAt, windowAt } from "../../src/domain/tickets/window.js";
import { queueArb, ticketsArb } from "../support/tickets.js";
import { clockWaits, violations } from "../support/tickets-reference.js";

/** Whether two tickets alone form a valid 1v1 match at `now`. */
const pairValid = (q: QueueConfig, now: number, a: Ticket, b: Ticket) =>
  violations(q, now, new Map([[a.id, a], [b.id, b]]), {
    tickets: [a, b],
    teams: [[a.id], [b.id]],
    teamRatings: [a.rating, b.rating],
    teamDifference: Math.abs(a.rating - b.rating),
    ratingSpread: Math.abs(a.rating - b.rating),
    region: bestRegion(q, now, [a, b]),
  }).length === 0;

function bestRegion(q: QueueConfig, now: number, ts: Ticket[]): string | null {
  if (q.region === null) return null;
  const cw = clockWaits(q, ts, now);
  return Object.keys(ts[0]!.latencies ?? {}).find((g) => ts.every((t, i) => (t.latencies?.[g] ?? Infinity) <= latencyAllowedAt(q, cw[i]!))) ?? "none";
}

const poolOf = (tickets: readonly Ticket[]) => {
  const pool = new TicketPool();
  for (const t of tickets) pool.add(t);
  return pool;
};

const RUNS = { numRuns: 150 };

describe("tick: every proposal is valid (property, against the reference)", () => {
  it("no ticket twice, every match valid for every member at now, timeouts exactly the overdue", () => {
    fc.assert(
      fc.property(
        queueArb().chain((q) => fc.tuple(fc.constant(q), ticketsArb(q, 60, Math.floor(q.maxWaitMs * 1.25)), fc.integer({ min: 0, max: 2_000 }))),
        ([q, tickets, after]) => {
          const now = Math.floor(q.maxWaitMs * 1.25) + after;
          const pool = poolOf(tickets);
          const pooled = new Map(tickets.map((t) => [t.id, t]));
          const r = tick(pool, q, now);
          const matched = r.matches.flatMap((m) => m.tickets.map((t) => t.id));
          expect(new Set(matched).size).toBe(matched.length);
          const overdue = tickets.filter((t) => now - t.enqueuedAt >= q.maxWaitMs).map((t) => t.id);
          expect(r.timedOut.map((t) => t.id).sort()).toEqual([...overdue].sort());
          expect(matched.filter((id) => overdue.includes(id))).toEqual([]);
          for (const m of r.matches) expect(violations(q, now, pooled, m)).toEqual([]);
          // The pool lost exactly what was proposed or timed out.
          expect(pool.size).toBe(tickets.length - matched.length - overdue.length);
          expect(r.seeds.length).toBeLessThanOrEqual(q.seedsPerTick);
          expect(new Set(r.seeds).size).toBe(r.seeds.length);
          expect(r.examined).toBeLessThanOrEqual(r.seeds.length * q.candidatesPerSeed);
        },
      ),
      RUNS,
    );
  });

  it("1v1 with room to look at everyone leaves no valid pair unmatched (maximal)", () => {
    const oneVsOne = queueArb([{ count: 2, size: 1 }]).map((q) => ({ ...q, seedsPerTick: 1_000, candidatesPerSeed: 1_000 }));
    fc.assert(
      fc.property(oneVsOne.chain((q) => fc.tuple(fc.constant(q), ticketsArb(q, 40, q.maxWaitMs - 1))), ([q, tickets]) => {
        const now = q.maxWaitMs - 1;
        const pool = poolOf(tickets);
        tick(pool, q, now);
        const left = [...pool.tickets()];
        for (let i = 0; i < left.length; i++) {
          for (let j = i + 1; j < left.length; j++) expect(pairValid(q, now, left[i]!, left[j]!), `${left[i]!.id} + ${left[j]!.id}`).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it("1v1: a seed whose budget covers the pool is matched exactly when it has a valid partner", () => {
    const oneSeed = queueArb([{ count: 2, size: 1 }]).map((q) => ({ ...q, seedsPerTick: 1, candidatesPerSeed: 1_000 }));
    fc.assert(
      fc.property(oneSeed.chain((q) => fc.tuple(fc.constant(q), ticketsArb(q, 40, q.maxWaitMs - 1))), ([q, tickets]) => {
        const now = q.maxWaitMs - 1;
        const r = tick(poolOf(tickets), q, now);
        if (r.seeds.length === 0) return;
        const seed = tickets.find((t) => t.id === r.seeds[0])!;
        const partner = tickets.some((t) => t !== seed && pairValid(q, now, seed, t));
        expect(r.matches.length).toBe(partner ? 1 : 0);
      }),
      RUNS,
    );
  });
});

describe("tick: liveness and fairness (property)", () => {
  it("with ticks running, every ticket is matched or timed out by maxWaitMs + one tick, and only once", () => {
    const tickMs = 1_000;
    fc.assert(
      fc.property(queueArb().chain((q) => fc.tuple(fc.constant(q), ticketsArb(q, 50, 15_000))), ([q, tickets]) => {
        const pool = new TicketPool();
        const pending = [...tickets].sort((a, b) => a.enqueuedAt - b.enqueuedAt);
        const done = new Map<string, number>();
        for (let now = tickMs; pending.length > 0 || pool.size > 0; now += tickMs) {
          while (pending.length > 0 && pending[0]!.enqueuedAt <= now) pool.add(pending.shift()!);
          const pooled = new Map([...pool.tickets()].map((t) => [t.id, t]));
          const r = tick(pool, q, now);
          for (const m of r.matches) expect(violations(q, now, pooled, m)).toEqual([]);
          for (const id of [...r.matches.flatMap((m) => m.tickets.map((t) => t.id)), ...r.timedOut.map((t) => t.id)]) {
            expect(done.has(id), `${id} removed twice`).toBe(false);
            done.set(id, now);
          }
          expect(now).toBeLessThan(15_000 + q.maxWaitMs + 3 * tickMs);
        }
        for (const t of tickets) expect(done.get(t.id)! - t.enqueuedAt).toBeLessThanOrEqual(q.maxWaitMs + tickMs);
      }),
      { numRuns: 80 },
    );
  });

  it("in a pool of N, every ticket is a seed (or gone) within ⌈N / seedsPerTick⌉ ticks of being due, again and again", () => {
    fc.assert(
      fc.property(queueArb().chain((q) => fc.tuple(fc.constant(q), ticketsArb(q, 80, 5_000))), ([q, tickets]) => {
        const pool = poolOf(tickets);
        const deadline = new Map<string, number>(); // due since the start of tick k with N in the pool: by k + ⌈N / S⌉ − 1
        const due = (ids: Iterable<string>, k: number) => {
          for (const id of ids) deadline.set(id, k + Math.ceil(pool.size / q.seedsPerTick) - 1);
        };
        due(tickets.map((t) => t.id), 0);
        let seededLast: string[] = [];
        for (let k = 0; k < 3 * Math.ceil(tickets.length / q.seedsPerTick) && pool.size > 0; k++) {
          due(seededLast.filter((id) => pool.has(id)), k);
          // At times before (most) enqueuedAt: waits are 0, nobody times out, only seeding and matching count.
          const r = tick(pool, q, k);
          expect(r.timedOut).toEqual([]);
          for (const id of [...r.seeds, ...r.matches.flatMap((m) => m.tickets.map((t) => t.id))]) deadline.delete(id);
          expect([...deadline].filter(([, d]) => d <= k).map(([id]) => id)).toEqual([]);
          seededLast = r.seeds;
        }
      }),
      RUNS,
    );
  });

  it("is deterministic: the same tickets, added in any order, give the same ticks", () => {
    fc.assert(
      fc.property(
        queueArb()
          .chain((q) => fc.tuple(fc.constant(q), ticketsArb(q, 50, 10_000)))
          .chain(([q, ts]) => fc.tuple(fc.constant(q), fc.constant(ts), fc.shuffledSubarray(ts, { minLength: ts.length }))),
        ([q, tickets, shuffled]) => {
          const [a, b] = [poolOf(tickets), poolOf(shuffled)];
          const run = (pool: TicketPool): TickResult[] => [10_000, 11_000, 14_000].map((now) => tick(pool, q, now));
          expect(run(b)).toEqual(run(a));
        },
      ),
      RUNS,
    );
  });
});

describe("tick: examples", () => {
  const ranked = parseQueue({
    id: "ranked",
    teams: { count: 2, size: 1 },
    rating: { initialWindow: 50, expansion: { kind: "steps", steps: [{ afterMs: 10_000, window: 200 }] }, maxWindow: 200 },
    maxWaitMs: 60_000,
  });
  const solo = (id: string, rating: number, enqueuedAt = 0, extra: Partial<Ticket> = {}): Ticket => ({ id, version: 1, playerIds: [`${id}-p`], rating, enqueuedAt, ...extra });

  it("pairs the nearest ratings first and reports the match's shape", () => {
    const pool = poolOf([solo("a", 1500), solo("b", 1540), solo("c", 1510), solo("d", 2000)]);
    const r = tick(pool, ranked, 1_000);
    expect(r.matches).toEqual([{ tickets: [{ id: "a", version: 1 }, { id: "c", version: 1 }], teams: [["c"], ["a"]], teamRatings: [1510, 1500], teamDifference: 10, ratingSpread: 10, region: null }]);
    expect(pool.size).toBe(2);
    expect(r.failures[TimeoutReason.NO_ONE_WITHIN_WINDOW]).toBe(2); // b and d: 460 apart, windows of 50
  });

  it("reaches the edge of the window on either side of the seed", () => {
    for (const other of [1450, 1550]) {
      const pool = poolOf([solo("seed", 1500, 0), solo("far", 2500, 1), solo("edge", other, 1)]);
      expect(tick(pool, { ...ranked, seedsPerTick: 1 }, 1_000).matches.map((m) => m.tickets.map((t) => t.id))).toEqual([["seed", "edge"]]);
    }
  });

  it("honours both sides' windows under `own`, only the oldest's under `oldest`", () => {
    // a has waited into the 200 window; b is new (window 50): 150 apart.
    const tickets = [solo("a", 1500, 0), solo("b", 1650, 19_000)];
    expect(tick(poolOf(tickets), ranked, 20_000).matches).toEqual([]);
    const oldest = { ...ranked, windowClock: WindowClock.OLDEST };
    expect(tick(poolOf(tickets), oldest, 20_000).matches).toHaveLength(1);
    const newest = { ...ranked, windowClock: WindowClock.NEWEST };
    expect(tick(poolOf(tickets), newest, 20_000).matches).toEqual([]);
  });

  it("times out with the reason that failed most, and picks the lowest-latency common region", () => {
    const regional = parseQueue({ id: "r", teams: { count: 2, size: 1 }, region: { maxLatencyMs: 80 }, maxWaitMs: 5_000 });
    const pool = poolOf([
      solo("eu", 1500, 0, { latencies: { eu: 20, us: 120 } }),
      solo("us", 1500, 0, { latencies: { us: 30, eu: 130 } }),
    ]);
    for (const now of [1_000, 2_000, 3_000]) expect(tick(pool, regional, now).matches).toEqual([]);
    expect(tick(pool, regional, 5_000).timedOut).toEqual([
      { id: "eu", version: 1, reason: TimeoutReason.NO_REGION },
      { id: "us", version: 1, reason: TimeoutReason.NO_REGION },
    ]);
    const both = poolOf([solo("x", 1500, 0, { latencies: { eu: 70, us: 40 } }), solo("y", 1500, 0, { latencies: { eu: 20, us: 60 } })]);
    // Worst latency: eu 70, us 60 — both allowed, us is better for the worse-off player.
    expect(tick(both, regional, 1_000).matches[0]!.region).toBe("us");
  });

  it("a lone ticket times out as pool_too_small", () => {
    const pool = poolOf([solo("a", 1500)]);
    tick(pool, ranked, 1_000);
    expect(tick(pool, ranked, 60_000).timedOut).toEqual([{ id: "a", version: 1, reason: TimeoutReason.POOL_TOO_SMALL }]);
  });

  it("never splits a party and balances 2 × 5 teams", () => {
    const fives = parseQueue({ id: "f", teams: { count: 2, size: 5 }, rating: { initialWindow: 500 } });
    const party = (id: string, n: number, rating: number): Ticket => ({ id, version: 1, playerIds: Array.from({ length: n }, (_, i) => `${id}${i}`), rating, enqueuedAt: 0 });
    const pool = poolOf([party("p3", 3, 1500), party("p2", 2, 1500), solo("s1", 1400), solo("s2", 1600), party("q2", 2, 1500), solo("s3", 1500)]);
    const [m] = tick(pool, fives, 1_000).matches;
    const sizeOf = (id: string) => pool.get(id)?.playerIds.length ?? { p3: 3, p2: 2, q2: 2 }[id] ?? 1;
    expect(m!.teams.map((t) => t.reduce((n, id) => n + sizeOf(id), 0))).toEqual([5, 5]);
    expect(m!.teamDifference).toBe(0);
  });
});
