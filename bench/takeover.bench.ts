import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { loadCatalog } from "../src/config/catalog.js";
import { loadEnv } from "../src/config/env.js";
import { createRedisStore } from "../src/store/redis/redis-store.js";
import { makeGame } from "../test/support/games.js";
import { freePort } from "../test/support/api-process.js";
import { startRedisServer } from "../test/support/redis-server.js";

const CLI = fileURLToPath(new URL("../../../dist/cli.js", import.meta.url));
const PREFIX = "takeover";
const STREAM = `${PREFIX}:events`;

export interface TakeoverResult {
  kills: number;
  leaseMs: number;
  /** SIGKILL of the active worker → an entry written right after it has taken effect, in ms. */
  p50Ms: number;
  maxMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Two worker processes (as operators run them) on one stream; the active one is SIGKILLed,
 * an entry is written at once, and the time until that entry has changed its game is the
 * takeover time. A fresh standby replaces the killed worker before the next round.
 */
export async function takeoverBench(opts: { kills: number }): Promise<TakeoverResult> {
  const server = await startRedisServer();
  const redis = new Redis(server.url);
  const env = loadEnv({ MATCHMAKER_GAME_TYPES: "catalog/game-types.yaml" });
  const store = createRedisStore({ redis, prefix: PREFIX, catalog: loadCatalog(env.gameTypesPath) });
  const game = makeGame({ gameType: "party-quiz", capacity: 8 });
  await store.create(game);
  const workers = new Map<string, ChildProcess>();
  let n = 0;
  const startWorker = async () => {
    const name = `w${n++}`;
    const child = spawn(process.execPath, [CLI, "worker"], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "production",
        JWT_SECRET: "takeover-bench-secret-0123456789",
        REDIS_URL: server.url,
        REDIS_KEY_PREFIX: PREFIX,
        EVENT_STREAM_KEY: STREAM,
        WORKER_CONSUMER_NAME: name,
        METRICS_PORT: String(await freePort()),
        LOG_LEVEL: "error",
      },
      stdio: "ignore",
    });
    workers.set(name, child);
    // Ready once it is a consumer or standing by: give it time to connect.
    await sleep(800);
  };
  const labelIs = async (v: string) => (await store.get(game))?.labels.n === v;
  const until = async (v: string) => {
    const deadline = performance.now() + 30_000;
    while (!(await labelIs(v))) {
      if (performance.now() > deadline) throw new Error(`takeover bench: no worker applied ${v} within 30 s`);
      await sleep(5);
    }
  };
  const write = (v: string) => redis.xadd(STREAM, "*", "product_id", "party-quiz", "game_id", game.id, "type", "metadata", "meta.n", v);
  const times: number[] = [];
  try {
    await startWorker();
    await startWorker();
    for (let k = 0; k < opts.kills; k++) {
      await write(`warm${k}`);
      await until(`warm${k}`);
      const [leaseKey] = await redis.keys(`{*}${STREAM}:lease`);
      const holder = (await redis.get(leaseKey!))!.split(" ")[1]!;
      const active = workers.get(holder)!;
      const killedAt = performance.now();
      active.kill("SIGKILL");
      workers.delete(holder);
      await write(`after${k}`);
      await until(`after${k}`);
      times.push(performance.now() - killedAt);
      await startWorker();
    }
  } finally {
    for (const w of workers.values()) w.kill("SIGKILL");
    redis.disconnect();
    await server.stop();
  }
  times.sort((a, b) => a - b);
  return { kills: times.length, leaseMs: env.workerLeaseMs, p50Ms: times[Math.floor(times.length / 2)]!, maxMs: times[times.length - 1]! };
}
