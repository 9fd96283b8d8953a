import { loadCatalog } from "../src/config/catalog.js";
import { type NormalizedFilter } from "../src/domain/filter.js";
import { type GameRecord, GameState, newGameRecord, Visibility } from "../src/domain/game.js";
import { newGameId } from "../src/domain/ids.js";
import type { Cursor } from "../src/domain/paging.js";
import { type GameSort, SortDirection, SortField } from "../src/domain/sort.js";
import type { GameStore } from "../src/store/game-store.js";
import { createRedisStore } from "../src/store/redis/redis-store.js";
import { startRedisServer } from "../test/support/redis-server.js";
import { benchRedis } from "./redis-service.js";

const TYPE = "party-quiz";
const CAPACITY = 8;
const WRITE_CHUNK = 2_000;

export interface Latency {
  p50: number;
  p99: number;
}

export interface SearchBenchRow {
  games: number;
  /** Milliseconds per `store.list` page, by query name. */
  latency: Record<string, Latency>;
  redisMemoryMb: number;
}

/** The lobby a player browses: open public games of one type and region, in a skill band, with a seat free. */
const lobby = (labels: NormalizedFilter["labels"]): NormalizedFilter => ({
  gameTypes: [TYPE],
  states: [GameState.OPEN],
  visibility: Visibility.PUBLIC,
  minFreeSeats: 1,
  regions: ["eu"],
  labels,
  includeWaitingForHost: false,
});

interface Query {
  name: string;
  filter: () => NormalizedFilter;
  sort: () => GameSort;
}

const skillBand = () => {
  const low = Math.floor(Math.random() * 2_000);
  return [{ key: "skill", between: [low, low + 1_000] }];
};

export const QUERIES: Query[] = [
  { name: "free seats, skill band", filter: () => lobby(skillBand()), sort: () => ({ field: SortField.FREE_SEATS, direction: SortDirection.ASC }) },
  {
    name: "nearest skill",
    filter: () => lobby([{ key: "mode", eq: "ranked" }]),
    sort: () => ({ field: SortField.NEAREST, direction: SortDirection.ASC, label: "skill", target: Math.floor(Math.random() * 3_000) }),
  },
];

/** An open public lobby game: 1–7 of 8 seats taken, half in "eu", skill 0–2999. */
function lobbyGame(createdAt: number): GameRecord {
  const seated = 1 + Math.floor(Math.random() * (CAPACITY - 1));
  const r = Math.random();
  const players = Array.from({ length: seated }, (_, i) => ({
    id: `p${i}`,
    name: `Player ${i}`,
    joinedAt: createdAt,
    confirmed: true,
    reservedUntil: null,
  }));
  const game = newGameRecord(newGameId(TYPE), {
    gameType: TYPE,
    creatorId: "p0",
    players,
    capacity: CAPACITY,
    visibility: Visibility.PUBLIC,
    region: r < 0.5 ? "eu" : r < 0.8 ? "us" : "asia",
    settings: { rounds: 5, category: "general" },
    labels: { mode: Math.random() < 0.5 ? "ranked" : "casual", skill: Math.floor(Math.random() * 3_000) },
    hosted: false,
    now: createdAt,
  });
  return game;
}

/** Stores `n` games through the store's own create script, WRITE_CHUNK at a time (auto-pipelined). */
async function fill(store: GameStore, n: number, since: number): Promise<void> {
  for (let done = 0; done < n; done += WRITE_CHUNK) {
    const chunk = Array.from({ length: Math.min(WRITE_CHUNK, n - done) }, (_, i) => lobbyGame(since + done + i));
    await Promise.all(chunk.map((g) => store.create(g)));
  }
}

/** Page latency of `q` over `calls` pages, each continuing from the previous endCursor (from the start again at the end). */
async function measure(store: GameStore, q: Query, calls: number): Promise<Latency> {
  const times: number[] = [];
  let after: Cursor | null = null;
  let filter = q.filter();
  let sort = q.sort();
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    const page = await store.list({ filter, sort, first: 20, after });
    times.push(performance.now() - started);
    after = page.hasNextPage ? page.endCursor : null;
    // A new search (new band, new target) every ten pages, like players refining their search.
    if (after === null || i % 10 === 9) [after, filter, sort] = [null, q.filter(), q.sort()];
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(calls * 0.5)]!, p99: times[Math.min(calls - 1, Math.floor(calls * 0.99))]! };
}

/**
 * `games(filter)` page latency (store.list on Redis) with `sizes` open games of one type,
 * each size on a fresh redis-server; 20 warm-up pages, then `calls` measured ones per query.
 */
export async function searchBench(opts: { sizes: number[]; calls: number }): Promise<SearchBenchRow[]> {
  const catalog = loadCatalog("catalog/game-types.yaml");
  const rows: SearchBenchRow[] = [];
  for (const games of opts.sizes) {
    const server = await startRedisServer();
    const redis = benchRedis(server.url);
    try {
      const store = createRedisStore({ redis, prefix: "bench", catalog });
      await fill(store, games, Date.now() - games);
      const latency: Record<string, Latency> = {};
      for (const q of QUERIES) {
        await measure(store, q, 20);
        latency[q.name] = await measure(store, q, opts.calls);
      }
      const used = /used_memory:(\d+)/.exec(await redis.info("memory"))?.[1];
      rows.push({ games, latency, redisMemoryMb: Number(used) / 2 ** 20 });
    } finally {
      redis.disconnect();
      await server.stop();
    }
  }
  return rows;
}
