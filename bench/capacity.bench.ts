import "reflect-metadata";
import { Redis, type Cluster } from "ioredis";
import { parseCatalog } from "../src/config/catalog.js";
import { ErrorCode, MatchmakerError } from "../src/domain/errors.js";
import { type Actor, type GameRecord, newGameRecord, Visibility } from "../src/domain/game.js";
import type { Catalog } from "../src/domain/game-type.js";
import { newGameId } from "../src/domain/ids.js";
import { loadEnv } from "../src/config/env.js";
import { createLogger } from "../src/logger.js";
import { connect, waitForRedis } from "../src/redis/connect.js";
import { createRedisStore } from "../src/store/redis/redis-store.js";
import { keySlot } from "../src/stream/slot.js";
import { startRedisCluster } from "../test/support/redis-cluster.js";
import { startRedisServer } from "../test/support/redis-server.js";
import { benchRedis, redisService } from "./redis-service.js";

/**
 * What one Redis master can take, measured as the master's own CPU per operation (INFO's
 * used_cpu_sys + used_cpu_user of its main thread, which runs every script): the ceiling of
 * a master is about 1 s of CPU / that cost, whatever the clients. Then the same load spread
 * over the masters of a 3-master cluster by game type, to show each master does only its share.
 */
export interface CapacityFigures {
  /** Redis CPU µs per quickJoin + leaveGame pair, and the pairs/s one master could serve at 100% CPU. */
  quickJoinPair: { redisCpuUs: number; ceilingPerSecond: number; measuredPerSecond: number };
  /** Redis CPU µs per applied stream change (a metadata event: the event script), and its ceiling. */
  change: { redisCpuUs: number; ceilingPerSecond: number; measuredPerSecond: number };
  /** Three types on three masters, the same change load: each master's share of the changes and its CPU per change. */
  cluster: { master: number; changes: number; redisCpuUs: number }[];
  /** Changes applied per second over the cluster, all types together (the clients' CPU is the limit here). */
  clusterPerSecond: number;
}

const CAPACITY = 8;
const GAMES_PER_TYPE = 500;

function catalogOf(types: string[]): Catalog {
  const yaml = `gameTypes:\n${types
    .map((t) => `  - id: ${t}\n    name: ${t}\n    minPlayers: 2\n    maxPlayers: ${CAPACITY}\n    labels: { mode: string, skill: number }\n    regions: [eu, us]\n`)
    .join("")}`;
  return parseCatalog(yaml, "capacity-catalog.yaml");
}

function lobbyGame(type: string, i: number, t: number): GameRecord {
  const seated = 1 + (i % 4);
  return newGameRecord(newGameId(type), {
    gameType: type,
    creatorId: `host${i}`,
    players: Array.from({ length: seated }, (_, k) => ({ id: `host${i}-${k}`, name: "p", joinedAt: t, confirmed: true, reservedUntil: null })),
    capacity: CAPACITY,
    visibility: Visibility.PUBLIC,
    region: i % 2 === 0 ? "eu" : "us",
    settings: {},
    labels: { mode: i % 2 === 0 ? "ranked" : "casual", skill: 1000 + (i % 800) },
    hosted: false,
    now: t + i,
  });
}

/** The CPU seconds a Redis server's main thread (which runs every command and script) has used. */
export async function redisCpuSeconds(node: Redis): Promise<number> {
  const info = await node.info("cpu");
  const read = (k: string) => Number(new RegExp(`^${k}_main_thread:([\\d.]+)`, "m").exec(info)?.[1] ?? new RegExp(`^${k}:([\\d.]+)`, "m").exec(info)?.[1]);
  return read("used_cpu_sys") + read("used_cpu_user");
}

/** Runs `op` from `concurrency` loops for `ms`; how many completed. */
async function loadFor(ms: number, concurrency: number, op: (n: number) => Promise<unknown>): Promise<number> {
  const until = performance.now() + ms;
  let n = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) await op(n++);
    }),
  );
  return n;
}

async function populate(store: ReturnType<typeof createRedisStore>, type: string): Promise<GameRecord[]> {
  const t = Date.now();
  const games = Array.from({ length: GAMES_PER_TYPE }, (_, i) => lobbyGame(type, i, t));
  await Promise.all(games.map((g) => store.create(g)));
  return games;
}

/** A metadata event on game `g`: one stream change, as the worker applies it. */
const change = (store: ReturnType<typeof createRedisStore>, g: GameRecord, n: number) =>
  store.applyEvent({ ref: { gameType: g.gameType, id: g.id }, effect: { kind: "mergeLabels", labels: { skill: 1000 + (n % 997) } }, entryId: null, eventId: null, now: Date.now() });

export async function capacityBench(opts: { ms: number; concurrency: number }): Promise<CapacityFigures> {
  // One master: quickJoin pairs, then changes.
  const server = await startRedisServer();
  const redis = benchRedis(server.url);
  let quickJoinPair: CapacityFigures["quickJoinPair"];
  let single: CapacityFigures["change"];
  try {
    const { store, bus, service } = redisService(redis, catalogOf(["lobby"]), { prefix: "cap" });
    const games = await populate(store, "lobby");
    const actor = (n: number): Actor => ({ id: `p${n}`, name: "P", admin: false });
    const pair = async (n: number) => {
      const a = actor(n);
      const g = await service.quickJoin(a, { gameType: "lobby", region: "eu", filter: { labels: [{ key: "mode", eq: "ranked" }] } });
      await service.leaveGame(a, g.id).catch((err: unknown) => {
        if (!(err instanceof MatchmakerError && err.code === ErrorCode.GAME_NOT_FOUND)) throw err;
      });
    };
    await loadFor(500, opts.concurrency, pair); // warm-up
    let cpu = await redisCpuSeconds(redis);
    let started = performance.now();
    const pairs = await loadFor(opts.ms, opts.concurrency, pair);
    let seconds = (performance.now() - started) / 1_000;
    let us = ((await redisCpuSeconds(redis)) - cpu) * 1e6;
    quickJoinPair = { redisCpuUs: us / pairs, ceilingPerSecond: 1e6 / (us / pairs), measuredPerSecond: pairs / seconds };

    cpu = await redisCpuSeconds(redis);
    started = performance.now();
    const changes = await loadFor(opts.ms, opts.concurrency, (n) => change(store, games[n % games.length]!, n));
    seconds = (performance.now() - started) / 1_000;
    us = ((await redisCpuSeconds(redis)) - cpu) * 1e6;
    single = { redisCpuUs: us / changes, ceilingPerSecond: 1e6 / (us / changes), measuredPerSecond: changes / seconds };
    await bus.close();
  } finally {
    redis.disconnect();
    await server.stop();
  }

  // Three types whose slots sit on three different masters, the same change load over all of them.
  const cluster = await startRedisCluster({ masters: 3 });
  // The production connection (auto-pipelined by node), as the app makes it from REDIS_CLUSTER_NODES.
  const env = loadEnv({ REDIS_CLUSTER_NODES: cluster.seeds, LOG_LEVEL: "silent" });
  const client = connect({ cluster: env.redisCluster! }, env, createLogger("silent")) as Cluster;
  await waitForRedis([{ redis: client, target: { cluster: env.redisCluster! } }], 10_000);
  try {
    const ranges: [number, number][] = [
      [0, 5460],
      [5461, 10922],
      [10923, 16383],
    ];
    const types = ranges.map(([lo, hi]) => {
      for (let i = 0; ; i++) {
        const slot = keySlot(`t${i}`);
        if (slot >= lo && slot <= hi) return `t${i}`;
      }
    });
    const { store, bus } = redisService(client, catalogOf(types), { prefix: "cap" });
    const all = (await Promise.all(types.map((t) => populate(store, t)))).flat();
    const masters = client.nodes("master");
    const before = await Promise.all(masters.map(redisCpuSeconds));
    const counts = new Map<string, number>();
    const started = performance.now();
    await loadFor(opts.ms, opts.concurrency, async (n) => {
      const g = all[n % all.length]!;
      await change(store, g, n);
      counts.set(g.gameType, (counts.get(g.gameType) ?? 0) + 1);
    });
    const after = await Promise.all(masters.map(redisCpuSeconds));
    const clusterSeconds = (performance.now() - started) / 1_000;
    const owner = await Promise.all(types.map(async (t) => Number(await client.cluster("KEYSLOT", `{${t}}`))));
    const rows = masters.map((_, i) => ({ master: i, cpuUs: (after[i]! - before[i]!) * 1e6 }));
    // Which type each master served: its slot range holds one type's slot.
    const served = await Promise.all(
      masters.map(async (m) => {
        const mine = (await m.cluster("SLOTS")) as unknown as [number, number, [string, number]][];
        const port = m.options.port;
        const ranges = mine.filter((r) => r[2][1] === port).map(([lo, hi]) => [lo, hi] as const);
        return types.filter((_, k) => ranges.some(([lo, hi]) => owner[k]! >= lo && owner[k]! <= hi));
      }),
    );
    await bus.close();
    return {
      quickJoinPair,
      change: single,
      clusterPerSecond: [...counts.values()].reduce((a, b) => a + b, 0) / clusterSeconds,
      cluster: rows.map((r, i) => {
        const changes = served[i]!.reduce((s, t) => s + (counts.get(t) ?? 0), 0);
        return { master: r.master, changes, redisCpuUs: changes > 0 ? r.cpuUs / changes : Number.NaN };
      }),
    };
  } finally {
    client.disconnect();
    await cluster.stop();
  }
}
