import "reflect-metadata";
import { ErrorCode, MatchmakerError } from "../src/domain/errors.js";
import { loadCatalog } from "../src/config/catalog.js";
import { loadEnv } from "../src/config/env.js";
import { type Actor, type GameRecord, GameState, newGameRecord, Visibility } from "../src/domain/game.js";
import { newGameId } from "../src/domain/ids.js";
import type { QuickJoinParams } from "../src/service/game-service.js";
import type { GameStore } from "../src/store/game-store.js";
import { startRedisServer } from "../test/support/redis-server.js";
import { percentile } from "./http-load.js";
import { benchRedis, redisService } from "./redis-service.js";

const TYPE = "party-quiz";
const REGIONS = ["eu", "us", "asia"];

export interface QuickJoinFigures {
  games: number;
  scenario: string;
  p50Ms: number;
  p99Ms: number;
  /** quickJoin + leaveGame pairs per second, `concurrency` in flight. */
  pairsPerSecond: number;
}

export interface QuickJoinBenchResult {
  rows: QuickJoinFigures[];
  concurrency: number;
}

/** An open public lobby: 1–4 of 8 seats taken, spread over regions, modes and skills. */
export function lobbyGame(i: number, t: number): GameRecord {
  // Independent of region (i % 3) and mode (i % 2), so every free-seat bucket holds every kind.
  const seated = 1 + (Math.floor(i / 6) % 4);
  const game = newGameRecord(newGameId(TYPE), {
    gameType: TYPE,
    creatorId: `host${i}`,
    players: Array.from({ length: seated }, (_, k) => ({ id: `host${i}-${k}`, name: "p", joinedAt: t, confirmed: true, reservedUntil: null })),
    capacity: 8,
    visibility: Visibility.PUBLIC,
    region: REGIONS[i % REGIONS.length]!,
    settings: { rounds: 5, category: "general" },
    labels: { mode: i % 2 === 0 ? "ranked" : "casual", skill: 1000 + (i % 800) },
    hosted: false,
    now: t + i,
  });
  return game;
}

async function populate(store: GameStore, n: number): Promise<GameRecord[]> {
  const t = Date.now();
  const games: GameRecord[] = [];
  for (let i = 0; i < n; i += 2_000) {
    const chunk = Array.from({ length: Math.min(2_000, n - i) }, (_, k) => lobbyGame(i + k, t));
    await Promise.all(chunk.map((g) => store.create(g)));
    games.push(...chunk);
  }
  return games;
}

/** Sequential latency of `op` (each followed by an untimed `undo`), then pairs/s with `concurrency` loops. */
async function measure(
  op: (a: Actor) => Promise<string>,
  undo: (a: Actor, id: string) => Promise<unknown>,
  calls: number,
  concurrency: number,
): Promise<{ p50Ms: number; p99Ms: number; pairsPerSecond: number }> {
  let n = 0;
  const actor = (): Actor => ({ id: `bench${n++}`, name: "Bench", admin: false });
  const times: number[] = [];
  // Warm-up (JIT, connections), not measured.
  for (let i = 0; i < 200; i++) {
    const a = actor();
    await undo(a, await op(a));
  }
  for (let i = 0; i < calls; i++) {
    const a = actor();
    const started = performance.now();
    const id = await op(a);
    times.push(performance.now() - started);
    await undo(a, id);
  }
  times.sort((x, y) => x - y);
  const started = performance.now();
  let left = calls;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) {
        const a = actor();
        await undo(a, await op(a));
      }
    }),
  );
  return { p50Ms: percentile(times, 0.5), p99Ms: percentile(times, 0.99), pairsPerSecond: calls / ((performance.now() - started) / 1_000) };
}

/**
 * quickJoin cost against the number of open games: for each size, a fresh lobby of public
 * OPEN party-quiz games, then quickJoins through the GameService on Redis (each undone by
 * leaveGame so the lobby stays the same size) — one that finds a game (region + label
 * filter), one whose filter matches nothing (scans the whole budget, then creates a game),
 * and the same-run baseline, joinGame by id (no search at all).
 */
export async function quickJoinBench(opts: { sizes: number[]; calls: number; concurrency: number }): Promise<QuickJoinBenchResult> {
  const server = await startRedisServer();
  const redis = benchRedis(server.url);
  const rows: QuickJoinFigures[] = [];
  try {
    const env = loadEnv({ LOG_LEVEL: "silent", MATCHMAKER_GAME_TYPES: "catalog/game-types.yaml" });
    const catalog = loadCatalog(env.gameTypesPath);
    for (const size of opts.sizes) {
      await redis.flushall();
      const { store, bus, service } = redisService(redis, catalog, { prefix: "bench" });
      const games = await populate(store, size);
      // The baseline joins the same kind of game, round robin, so 32 in flight never fill one.
      const targets = games.filter((g) => g.region === "eu" && g.labels.mode === "ranked").slice(0, 64);
      let next = 0;
      // With 32 in flight, a game one caller created may be joined by others and then closed by
      // its creator's leave before they leave it themselves: that leave has nothing left to do.
      const leave = (a: Actor, id: string) =>
        service.leaveGame(a, id).catch((err: unknown) => {
          if (!(err instanceof MatchmakerError && err.code === ErrorCode.GAME_NOT_FOUND)) throw err;
        });
      const quick = (input: Omit<QuickJoinParams, "gameType">) => async (a: Actor) =>
        (await service.quickJoin(a, { gameType: TYPE, ...input })).id;
      const scenarios: [string, (a: Actor) => Promise<string>][] = [
        ["quickJoin (eu, mode = ranked)", quick({ region: "eu", filter: { labels: [{ key: "mode", eq: "ranked" }] } })],
        ["quickJoin, nothing matches (full budget, creates)", quick({ region: "eu", filter: { labels: [{ key: "skill", gt: 5_000 }] } })],
        ["baseline: joinGame(id)", async (a) => (await service.joinGame(a, targets[next++ % targets.length]!.id, null)).gameId],
      ];
      for (const [scenario, op] of scenarios) {
        rows.push({ games: size, scenario, ...(await measure(op, leave, opts.calls, opts.concurrency)) });
      }
      await bus.close();
    }
    return { rows, concurrency: opts.concurrency };
  } finally {
    redis.disconnect();
    await server.stop();
  }
}
