import { describe, expect, it } from "vitest";
import { parseQueue } from "../../src/config/catalog-queues.js";
import { tick } from "../../src/domain/tickets/matcher.js";
import { TicketPool } from "../../src/domain/tickets/pool.js";
import { mulberry32, normal } from "../../src/domain/tickets/prng.js";

// Work is counted, not timed: a tick's candidate examinations must stay within
// seeds × candidatesPerSeed however large the pool, so a busy queue cannot make a tick O(N²).

/** A pool of `n` tickets of 1–5 players, ratings ~N(1500, 300), latencies to three regions. */
function bigPool(n: number): TicketPool {
  const random = mulberry32(n);
  const pool = new TicketPool();
  const regions = ["eu", "us", "asia"];
  for (let i = 0; i < n; i++) {
    const size = 1 + Math.floor(random() * 5);
    const home = Math.floor(random() * 3);
    pool.add({
      id: `t${i}`,
      version: 1,
      playerIds: Array.from({ length: size }, (_, j) => `t${i}-${j}`),
      rating: Math.round(normal(random, 1500, 300)),
      latencies: Object.fromEntries(regions.map((r, k) => [r, k === home ? 20 : 150])),
      enqueuedAt: Math.floor(random() * 60_000),
    });
  }
  return pool;
}

// Premades only meet their own size and their home region: most candidates are refused, so
// seeds use their whole budget.
const picky = parseQueue({
  id: "picky",
  teams: { count: 2, size: 5 },
  rating: { initialWindow: 300, expansion: { kind: "linear", perSecond: 1 }, maxWindow: 600 },
  region: { maxLatencyMs: 60 },
  partySize: { maxSpread: 0 },
  maxWaitMs: 600_000,
  seedsPerTick: 1_000,
  candidatesPerSeed: 64,
});

describe("tick: bounded work whatever the pool size", () => {
  for (const n of [1_000, 10_000, 100_000]) {
    it(`examines at most seeds × candidatesPerSeed at ${n} tickets`, () => {
      const pool = bigPool(n);
      const r = tick(pool, picky, 60_000);
      // Tickets matched before their turn are no seed: only a large pool has every seed slot used.
      if (n >= 10 * picky.seedsPerTick) expect(r.seeds.length).toBe(picky.seedsPerTick);
      else expect(r.seeds.length).toBeLessThanOrEqual(Math.min(n, picky.seedsPerTick));
      expect(r.examined).toBeLessThanOrEqual(r.seeds.length * picky.candidatesPerSeed);
      // The bound binds: seeds that fail do spend their budget, so the count is near it, not near N.
      expect(r.examined).toBeGreaterThan((r.seeds.length * picky.candidatesPerSeed) / 4);
      expect(r.matches.length).toBeGreaterThan(0);
      expect(pool.size).toBe(n - r.matches.reduce((s, m) => s + m.tickets.length, 0));
    });
  }
});
