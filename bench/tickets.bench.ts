import "reflect-metadata";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parseCatalog } from "../src/config/catalog.js";
import { tick } from "../src/domain/tickets/matcher.js";
import { TicketPool } from "../src/domain/tickets/pool.js";
import { mulberry32, normal } from "../src/domain/tickets/prng.js";
import { percentiles } from "../src/domain/percentiles.js";
import { newTicketId, type TicketRecord, TicketStatus } from "../src/domain/tickets/ticket-record.js";
import { startRedisServer } from "../test/support/redis-server.js";
import { startCpuProfile } from "./cpu-profile.js";
import { benchRedis, redisService } from "./redis-service.js";

/** A ranked 1v1 queue with relaxation on: ±50 at first, +25 a second, up to ±400. */
const CATALOG = parseCatalog(
  `gameTypes:
  - id: duel
    name: Duel
    minPlayers: 2
    maxPlayers: 2
    queues:
      - id: ranked
        teams: { count: 2, size: 1 }
        rating: { attribute: mmr, initialWindow: 50, expansion: { kind: linear, perSecond: 25 }, maxWindow: 400 }
        maxWaitMs: 600000
        seedsPerTick: 20000
`,
  "tickets-bench.yaml",
);
const QUEUE = CATALOG.get("duel")!.queues![0]!;
const T0 = 1_800_000_000_000;

/** Ratings as ladders have them: normal around 1500, sd 300 (the tails wait for wider windows). */
function backlog(n: number, seed: number): TicketRecord[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: newTicketId("duel"),
    gameType: "duel",
    queueId: "ranked",
    status: TicketStatus.SEARCHING,
    version: 1,
    ownerId: `p${i}`,
    players: [{ id: `p${i}`, name: `Player ${i}` }],
    partyId: null,
    rating: Math.round(normal(random, 1500, 300)),
    latencies: null,
    enqueuedAt: T0,
    updatedAt: T0,
    match: null,
    reason: null,
  }));
}

export interface TicketBenchResult {
  tickets: number;
  /** Tickets matched per second of wall time, ticks and commits on Redis included. */
  matchedPerSecond: number;
  matched: number;
  timedOut: number;
  ticks: number;
  /** Ticks from enqueue to match (the clock advances one second a tick). */
  ticksToMatch: { p50: number; p99: number };
  /** The pure tick alone on pools of each size: ms per tick and candidate examinations per seed. */
  perTick: { waiting: number; ms: number; examinedPerSeed: number; seeds: number }[];
}

/**
 * The matcher as the worker runs it, on a fresh redis-server: a backlog of `tickets` 1v1 tickets
 * (enqueued through the store), then ticks — sync from the queue's feed, tick, commit every
 * proposal (32 to a script call), publish — with the clock advanced a second per tick, until the
 * queue is empty or nothing matches any more. Then the pure tick alone at 1k/10k/100k waiting.
 */
export async function ticketsBench(opts: { tickets: number; profileDir?: string }): Promise<TicketBenchResult> {
  const server = await startRedisServer();
  const redis = benchRedis(server.url);
  let clock = T0;
  try {
    const { store, bus, service } = redisService(redis, CATALOG, { prefix: "tb", now: () => clock });
    const all = backlog(opts.tickets, 7);
    for (let i = 0; i < all.length; i += 5_000) await Promise.all(all.slice(i, i + 5_000).map((t) => store.enqueueTicket(t)));
    const matcher = service.queueMatchers()[0]!;
    let matched = 0;
    let timedOut = 0;
    let ticks = 0;
    const waits: number[] = [];
    // BENCH_STATS's command stats are the matching's alone.
    if (process.env.BENCH_STATS) await redis.config("RESETSTAT");
    const profile = opts.profileDir ? await startCpuProfile() : null;
    const started = performance.now();
    for (let idle = 0; idle < 3 && matched + timedOut < opts.tickets; ticks++) {
      clock += 1_000;
      const tickAt = performance.now();
      const s = await matcher.runTick();
      if (process.env.BENCH_STATS) console.log(`  tick ${ticks}: ${s.matched} matched, ${s.waiting} waiting, ${s.stale} stale, ${(performance.now() - tickAt).toFixed(0)} ms`);
      matched += s.matched;
      timedOut += s.timedOut;
      for (const w of s.waitsMs) waits.push(Math.round(w / 1_000));
      idle = s.matched === 0 ? idle + 1 : 0;
    }
    const seconds = (performance.now() - started) / 1_000;
    await profile?.stop(`${opts.profileDir}/tickets.cpuprofile`);
    if (process.env.BENCH_STATS) console.log(await redis.info("commandstats"));
    await bus.close();
    const p = percentiles(waits);
    return {
      tickets: opts.tickets,
      matchedPerSecond: matched / seconds,
      matched,
      timedOut,
      ticks,
      ticksToMatch: { p50: p.p50, p99: p.p99 },
      perTick: pureTicks([1_000, 10_000, 100_000]),
    };
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

/** Measured rounds of the pure tick per pool size (the median is reported), after as many unmeasured. */
const PURE_TICK_RUNS = 9;

/** A full collection, so that one pool's construction garbage is not collected during the next timed tick. */
const collectGarbage: () => void = (() => {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();

/**
 * One tick of the pure matcher on fresh pools of each size (wait 0: the narrowest windows, the
 * most work per seed). Rounds go through every size in turn, the first PURE_TICK_RUNS of them
 * unmeasured: each size is then timed with the tick equally compiled, and a noisy moment of the
 * machine lands on every size alike rather than on one of them.
 */
function pureTicks(sizes: readonly number[]): TicketBenchResult["perTick"] {
  const runs = sizes.map(() => ({ ms: [] as number[], examined: 0, seeds: 0 }));
  for (let r = 0; r < 2 * PURE_TICK_RUNS; r++) {
    sizes.forEach((n, k) => {
      const pool = new TicketPool();
      for (const t of backlog(n, 100 + r)) pool.add({ id: t.id, version: 1, playerIds: [t.ownerId], rating: t.rating, enqueuedAt: T0 });
      collectGarbage();
      const at = performance.now();
      const result = tick(pool, { ...QUEUE, seedsPerTick: 1_000 }, T0);
      const ms = performance.now() - at;
      if (r < PURE_TICK_RUNS) return;
      runs[k]!.ms.push(ms);
      runs[k]!.examined += result.examined;
      runs[k]!.seeds += result.seeds.length;
    });
  }
  return sizes.map((n, k) => {
    const { ms, examined, seeds } = runs[k]!;
    ms.sort((a, b) => a - b);
    return { waiting: n, ms: ms[Math.floor(PURE_TICK_RUNS / 2)]!, examinedPerSeed: examined / Math.max(1, seeds), seeds: seeds / PURE_TICK_RUNS };
  });
}
