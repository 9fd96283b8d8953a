import "reflect-metadata";
import { signToken } from "../src/auth/jwt.js";
import { loadEnv } from "../src/config/env.js";
import { createLogger } from "../src/logger.js";
import { type App, createApp } from "../src/main.js";
import { randomPrefix, startRedisServer } from "../test/support/redis-server.js";
import { median } from "./http-load.js";
import { ROOMY_PLAYERS } from "./project-env.js";
import { lobbyGame } from "./quickjoin.bench.js";

const SECRET = "bench-secret-for-the-limits-0123456789";
const GAMES_QUERY = `query Games { games(first: 20, filter: { gameType: "party-quiz" }) {
  totalCount edges { node { id state freeSeats region labels players { id name } } } } }`;
const QUICK_JOIN = `mutation QuickJoin { quickJoin(input: { gameType: "party-quiz" }) { id } }`;
const LEAVE = `mutation LeaveGame($id: ID!) { leaveGame(id: $id) { id } }`;

// The 32 bench players each play far faster than a person: their own budgets are raised so
// they are never refused (each call still takes its point in Redis, as with the defaults). The
// per-address budgets stay the shipped ones: requests come from 1,000 addresses (behind one
// trusted proxy hop), each well within them, as a busy deployment's players would.
const ADDRESSES = 1_000;
let nextAddress = 0;
const address = () => {
  const n = nextAddress++ % ADDRESSES;
  return `198.18.${n >> 8}.${n & 255}`;
};

export interface LimitsFigures {
  path: string;
  onPerSecond: number;
  offPerSecond: number;
  ratio: number;
}

async function post(url: string, query: string, variables?: Record<string, unknown>, token?: string): Promise<{ data?: Record<string, { id: string } | null> | null; errors?: unknown[] }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": address(), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Record<string, { id: string } | null> | null; errors?: unknown[] };
}

/** Runs `op` with `concurrency` loops for `ms`; operations per second. Throws on the first GraphQL error. */
async function rate(concurrency: number, ms: number, op: (loop: number) => Promise<void>): Promise<number> {
  let done = 0;
  const until = Date.now() + ms;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      while (Date.now() < until) {
        await op(loop);
        done++;
      }
    }),
  );
  return (done * 1_000) / (Date.now() - started);
}


/**
 * The cost of the abuse limits on the normal path: two API servers on one Redis, the same
 * 2,000 open games each, one with every limit on (the query limits, the shipped per-address
 * budgets over 1,000 client addresses, per-player budgets that never refuse, the cap on live
 * games) and one with none; games(first: 20) and quickJoin + leaveGame pairs from 32
 * concurrent clients, interleaved rounds, medians.
 */
export async function limitsBench(opts: { rounds: number; roundMs: number; concurrency: number; games: number }): Promise<LimitsFigures[]> {
  const redis = await startRedisServer();
  const apps: App[] = [];
  try {
    const start = async (on: boolean) => {
      const prefix = randomPrefix();
      const env = loadEnv({
        NODE_ENV: "production",
        JWT_SECRET: SECRET,
        LOG_LEVEL: "silent",
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: prefix,
        EVENT_STREAM_KEY: `${prefix}:stream`,
        // The repository's sample catalog (npm run bench runs from its root).
        MATCHMAKER_GAME_TYPES: "catalog/game-types.yaml",
        TRUST_PROXY_HOPS: "1",
        ...(on ? ROOMY_PLAYERS : { RATE_LIMITS: "off", MAX_LIVE_GAMES_PER_PLAYER: "0" }),
      });
      const app = await createApp(env, createLogger("silent"), { api: true, worker: false, withoutQueryLimits: !on });
      apps.push(app);
      const t = Date.now();
      for (let i = 0; i < opts.games; i += 500) {
        await Promise.all(Array.from({ length: Math.min(500, opts.games - i) }, (_, k) => app.backends.store.create(lobbyGame(i + k, t))));
      }
      const { port } = await app.api!.listen(0, "127.0.0.1");
      return `http://127.0.0.1:${port}/graphql`;
    };
    const onUrl = await start(true);
    const offUrl = await start(false);
    const tokens = await Promise.all(
      Array.from({ length: opts.concurrency }, (_, i) => signToken({ sub: `bench${i}`, name: `Bench ${i}` }, { secret: SECRET, issuer: null })),
    );
    const games = (url: string) => rate(opts.concurrency, opts.roundMs, async () => {
      const r = await post(url, GAMES_QUERY);
      if (r.errors) throw new Error(`games: ${JSON.stringify(r.errors)}`);
    });
    const pairs = (url: string) => rate(opts.concurrency, opts.roundMs, async (loop) => {
      const joined = await post(url, QUICK_JOIN, undefined, tokens[loop]);
      if (joined.errors) throw new Error(`quickJoin: ${JSON.stringify(joined.errors)}`);
      const left = await post(url, LEAVE, { id: joined.data!.quickJoin!.id }, tokens[loop]);
      if (left.errors) throw new Error(`leaveGame: ${JSON.stringify(left.errors)}`);
    });
    const figures: LimitsFigures[] = [];
    for (const [path, run] of [["games(first: 20), 2,000 open games", games], ["quickJoin + leaveGame pairs", pairs]] as const) {
      await run(onUrl);
      await run(offUrl); // warm-up of both
      const on: number[] = [];
      const off: number[] = [];
      for (let r = 0; r < opts.rounds; r++) {
        // Alternating which goes first, so neither always runs on a warmer machine.
        if (r % 2 === 0) {
          on.push(await run(onUrl));
          off.push(await run(offUrl));
        } else {
          off.push(await run(offUrl));
          on.push(await run(onUrl));
        }
      }
      figures.push({ path, onPerSecond: median(on), offPerSecond: median(off), ratio: median(on) / median(off) });
    }
    return figures;
  } finally {
    for (const app of apps) await app.close();
    await redis.stop();
  }
}
