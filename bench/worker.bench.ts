import "reflect-metadata";
import type { Redis } from "ioredis";
import { pino } from "pino";
import { loadCatalog } from "../src/config/catalog.js";
import { loadEnv } from "../src/config/env.js";
import { createMetrics } from "../src/metrics.js";
import { createWorker } from "../src/worker/worker.js";
import { startRedisServer } from "../test/support/redis-server.js";
import { benchRedis, redisService } from "./redis-service.js";
import { startCpuProfile } from "./cpu-profile.js";

export type Scenario = "lifecycle" | "all-changes";

export interface WorkerBenchResult {
  scenario: Scenario;
  entries: number;
  games: number;
  rawPerSecond: number;
  /**
   * The raw loop plus publishing, for each entry, one message the size of the change the
   * worker publishes for it, on the game's channel and its type's (prebuilt: no apply, no
   * serializing): what any worker that publishes each change with its game could reach at most.
   * Measured for the all-changes scenario, where every entry is such a change.
   */
  publishFloorPerSecond?: number;
  /** The size of that message, in bytes. */
  changeBytes?: number;
  workerPerSecond: number;
  ratio: number;
}

const BATCH = 500;

/**
 * Drains the same backlog twice on a fresh redis-server: once with a bare
 * XREADGROUP + batched XACK loop (the ceiling), once with the real worker (parse, apply
 * through GameService's Lua scripts, publish on Redis pub/sub, ack).
 */
export async function workerBench(opts: { entries: number; games: number; scenario: Scenario; profileDir?: string }): Promise<WorkerBenchResult> {
  const server = await startRedisServer();
  const logger = pino({ level: "silent" });
  // The service's own connection (writes coalesced per event-loop turn), as the worker process has it.
  const redis = benchRedis(server.url);
  try {
    const env = loadEnv({ LOG_LEVEL: "silent", MATCHMAKER_GAME_TYPES: "catalog/game-types.yaml" });
    const catalog = loadCatalog(env.gameTypesPath);
    const { store, bus, stream, service } = redisService(redis, catalog, { prefix: "bench", streamMaxLen: 10_000_000 });

    const host = { id: "host", name: "Host", admin: false };
    const guests = ["p2", "p3", "p4"].map((id) => ({ id, name: id, admin: false }));
    const ids = await Promise.all(
      Array.from({ length: opts.games }, async () => {
        const id = (await service.createGame(host, { gameType: "party-quiz", capacity: 8 })).gameId;
        for (const g of guests) await service.joinGame(g, id, null);
        return id;
      }),
    );
    const perGame = Math.ceil(opts.entries / opts.games);
    const script = opts.scenario === "lifecycle" ? lifecycle(perGame) : allChanges(perGame);
    // Round-robin over games, each game's events in order, as many game servers writing at once would.
    const entries: string[][] = [];
    for (let n = 0; n < perGame && entries.length < opts.entries; n++) {
      for (const id of ids) {
        if (entries.length === opts.entries) break;
        // event ids are unique per producer: prefix the script's with the game id.
        entries.push(["product_id", "party-quiz", "game_id", id, ...script[n]!.map((v, i, a) => (a[i - 1] === "event_id" ? `${id}:${v}` : v))]);
      }
    }
    await fill(redis, "bench:raw", entries);
    if (opts.scenario === "all-changes") await fill(redis, "bench:floor", entries);
    await fill(redis, "bench:events", entries);

    const rawPerSecond = await rawDrain(redis, "bench:raw", opts.entries);
    // A message as the bus sends a change of one of these games (the game with its players and labels).
    let publishFloorPerSecond: number | undefined;
    let changeBytes: number | undefined;
    if (opts.scenario === "all-changes") {
      const game = (await service.getGame(ids[0]!))!;
      const message = JSON.stringify({ kind: "UPDATED", gameId: game.id, gameType: game.gameType, version: game.version, previousState: game.state, game });
      changeBytes = Buffer.byteLength(message);
      publishFloorPerSecond = await publishFloorDrain(redis, "bench:floor", opts.entries, message);
    }
    const worker = createWorker({
      service,
      stream,
      metrics: createMetrics(),
      logger,
      settings: { consumerName: "bench", batchSize: BATCH, blockMs: 100, leaseMs: 3_000, maxDeliveries: 5, sweepIntervalMs: 600_000 },
    });
    await stream.ensureGroup();
    if (process.env.BENCH_STATS) await redis.config("RESETSTAT");
    const profile = opts.profileDir ? await startCpuProfile() : null;
    const started = performance.now();
    worker.consumer.start();
    while ((await stream.lag()) !== 0 || (await stream.pendingCount()) !== 0) await new Promise((r) => setTimeout(r, 2));
    const workerPerSecond = opts.entries / ((performance.now() - started) / 1_000);
    await profile?.stop(`${opts.profileDir}/worker-${opts.scenario}.cpuprofile`);
    await worker.consumer.stop();
    if ((await stream.pendingCount()) !== 0) throw new Error("worker bench left entries pending");
    if (process.env.BENCH_STATS) console.log(await redis.info("commandstats"));
    await bus.close();
    await stream.close();
    return { scenario: opts.scenario, entries: opts.entries, games: opts.games, rawPerSecond, publishFloorPerSecond, changeBytes, workerPerSecond, ratio: workerPerSecond / rawPerSecond };
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

async function fill(redis: Redis, key: string, entries: string[][]): Promise<void> {
  for (let i = 0; i < entries.length; i += 5_000) {
    const p = redis.pipeline();
    for (const e of entries.slice(i, i + 5_000)) p.xadd(key, "*", ...e);
    await p.exec();
  }
}

/** The ceiling: read and ack, nothing else. */
async function rawDrain(redis: Redis, key: string, total: number): Promise<number> {
  await redis.xgroup("CREATE", key, "raw", "0");
  const started = performance.now();
  let done = 0;
  while (done < total) {
    const res = (await redis.xreadgroup("GROUP", "raw", "c", "COUNT", BATCH, "STREAMS", key, ">")) as [string, [string, string[]][]][] | null;
    const batch = res?.[0]?.[1] ?? [];
    if (batch.length === 0) break;
    await redis.xack(key, "raw", ...batch.map(([id]) => id));
    done += batch.length;
  }
  return done / ((performance.now() - started) / 1_000);
}

/**
 * The raw loop plus, for each entry, `message` published on its game's channel and its type's
 * before the batch's ack, the next batch read while this one is published (as the worker reads ahead).
 */
async function publishFloorDrain(redis: Redis, key: string, total: number, message: string): Promise<number> {
  await redis.xgroup("CREATE", key, "floor", "0");
  const read = async () => ((await redis.xreadgroup("GROUP", "floor", "c", "COUNT", BATCH, "STREAMS", key, ">")) as [string, [string, string[]][]][] | null)?.[0]?.[1] ?? [];
  const started = performance.now();
  let done = 0;
  let next = read();
  while (done < total) {
    const batch = await next;
    if (batch.length === 0) break;
    next = read();
    await Promise.all(
      batch.map(([, fields]) => {
        const gameId = fields[fields.indexOf("game_id") + 1]!;
        return Promise.all([redis.publish(`bench:changes:game:${gameId}`, message), redis.publish("bench:changes:type:party-quiz", message)]);
      }),
    );
    await redis.xack(key, "floor", ...batch.map(([id]) => id));
    done += batch.length;
  }
  await next;
  return done / ((performance.now() - started) / 1_000);
}

/**
 * A game's stream as a game server of the original generation writes it: the life-cycle
 * changes (each applied, versioned and published) around a body of gameplay and
 * heartbeats (activity only), with event ids on the changes.
 */
function lifecycle(n: number): string[][] {
  const changes: string[][] = [
    ["type", "state_change", "new_state", "creator_joined"],
    ...["p2", "p3", "p4"].map((p) => ["type", "player_connected", "player_id", p]),
    ["type", "state_change", "new_state", "all_players_joined"],
    ["type", "state_change", "new_state", "in_progress"],
    ["type", "metadata", "meta.round", "1"],
  ];
  const out: string[][] = changes.map((c, i) => [...c, "event_id", `c${i}`]);
  while (out.length < n - 2) out.push(out.length % 10 === 0 ? ["type", "heartbeat"] : ["type", "gameplay", "event_name", "move", "user_id", "host"]);
  out.push(["type", "metadata", "meta.round", "2", "event_id", "m2"], ["type", "game_over", "winner_id", "host", "loser_id", "p2", "event_id", "over"]);
  return out;
}

/** The worst case: every entry changes its game (a new label value), so each is applied, versioned and published. */
function allChanges(n: number): string[][] {
  return Array.from({ length: n }, (_, i) => ["type", "metadata", "event_id", `e${i}`, "meta.n", String(i)]);
}
