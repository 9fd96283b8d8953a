import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisStore } from "../../src/store/redis/redis-store.js";
import { type ApiProcess, startApiProcess } from "../support/api-process.js";
import { apiClient } from "../support/api-client.js";
import { tokenFor, waitFor, wsClient } from "../support/app.js";
import { type FakeGameServer, startFakeGameServer } from "../support/fake-game-server.js";
import { makeGame } from "../support/games.js";
import { randomPrefix, type RedisServer, startRedisServer } from "../support/redis-server.js";
import { streamDrained } from "../support/stream-drained.js";
import { serverCatalog, serverCatalogYaml } from "../support/server-catalog.js";

const BACKLOG = 3_000;
const GAMES = 30;
const SHUTDOWN_TIMEOUT_MS = 8_000;

/**
 * SIGTERM as an orchestrator sends it, to every process kind run as operators run them
 * (NODE_ENV=production): requests in flight complete, subscriptions end, the worker finishes
 * and acknowledges the batch in hand and gives up its lease, and the process exits 0 well
 * within SHUTDOWN_TIMEOUT_MS.
 */
describe.each(["all", "api", "worker"] as const)("SIGTERM of matchmaker %s (NODE_ENV=production)", (command) => {
  let redisServer: RedisServer;
  let redis: Redis;
  let gameServer: FakeGameServer;
  let catalogFile: string;

  beforeAll(async () => {
    [redisServer, gameServer] = await Promise.all([startRedisServer(), startFakeGameServer()]);
    redis = new Redis(redisServer.url);
    catalogFile = join(mkdtempSync(join(tmpdir(), "mm-shutdown-")), "catalog.yaml");
    writeFileSync(catalogFile, serverCatalogYaml(gameServer.url));
  });
  afterAll(async () => {
    redis?.disconnect();
    await Promise.all([redisServer?.stop(), gameServer?.close()]);
  });

  it("finishes what is in flight and exits 0", async () => {
    const prefix = randomPrefix();
    const streamKey = `${prefix}:game_event_stream`;
    const runsApi = command !== "worker";
    const runsWorker = command !== "api";
    // A backlog for the worker: label changes, each one visible in its game's version.
    const store = createRedisStore({ redis, prefix, catalog: serverCatalog(gameServer.url) });
    const games = Array.from({ length: GAMES }, () => makeGame({ gameType: "lobby", capacity: 8 }));
    for (const g of games) await store.create(g);
    const pipeline = redis.pipeline();
    for (let i = 0; i < BACKLOG; i++) {
      const g = games[i % GAMES]!;
      pipeline.xadd(streamKey, "*", "product_id", "lobby", "game_id", g.id, "type", "metadata", "meta.n", String(i));
    }
    await pipeline.exec();

    const proc: ApiProcess = await startApiProcess(redisServer.url, prefix, command, {
      NODE_ENV: "production",
      MATCHMAKER_GAME_TYPES: catalogFile,
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      WORKER_CONSUMER_NAME: `sigterm-${command}`,
      WORKER_BATCH_SIZE: "50",
      GAME_SERVER_TIMEOUT_MS: "3000",
    });
    const exit = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) =>
      proc.child.once("exit", (code, signal) => resolve({ code, signal, at: Date.now() })),
    );

    let inFlight: Promise<{ status: number; errors?: unknown; data?: unknown; at: number }>[] = [];
    let subscriptionEnded: Promise<unknown> = Promise.resolve("no api");
    if (runsApi) {
      const alice = await tokenFor("alice");
      // A subscriber that is connected when the signal comes.
      const ws = wsClient(proc.wsUrl);
      subscriptionEnded = new Promise((resolve) => {
        ws.subscribe({ query: "subscription { gameChanged(gameType: \"lobby\") { gameId } }" }, { next: () => {}, error: resolve, complete: () => resolve("complete") });
      });
      const topic = `${prefix}:changes:type:lobby`;
      await waitFor(async () => ((await redis.call("PUBSUB", "NUMSUB", topic)) as [string, number])[1] > 0, "the subscription to reach Redis");
      // Requests the game server takes 600 ms to answer: in flight when the signal comes.
      gameServer.delay("/create_game", 600);
      const api = apiClient(proc.url);
      inFlight = Array.from({ length: 10 }, () => api.createGame({ input: { gameType: "duel" } }, alice).then((r) => ({ ...r, at: Date.now() })));
      await waitFor(() => gameServer.requestsTo("/create_game").length === 10, "the requests to reach the game server");
    }
    if (runsWorker) await waitFor(async () => ((await redis.xpending(streamKey, "matchmaker")) as [number])[0] > 0, "the worker to hold a batch");

    const signalledAt = Date.now();
    proc.child.kill("SIGTERM");
    const { code, signal, at } = await exit;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(at - signalledAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS);

    if (runsApi) {
      // Each request that was in flight got its whole answer, after the signal.
      for (const r of await Promise.all(inFlight)) {
        expect(r.status).toBe(200);
        expect(r.errors).toBeUndefined();
        expect(r.at).toBeGreaterThan(signalledAt);
      }
      expect(await subscriptionEnded).toBeDefined();
      gameServer.reset();
    }
    if (runsWorker) {
      // Nothing of its own left pending, and the lease given up for the next worker at once.
      const consumers = (await redis.call("XINFO", "CONSUMERS", streamKey, "matchmaker")) as unknown[][];
      const mine = consumers.map((c) => Object.fromEntries(Array.from({ length: c.length / 2 }, (_, i) => [c[2 * i], c[2 * i + 1]])));
      expect(mine.find((c) => c.name === `sigterm-${command}`)?.pending ?? 0).toBe(0);
      expect(await redis.keys(`{*}${streamKey}:lease`)).toEqual([]);
      // A successor applies the rest: every entry exactly once.
      const next = await startApiProcess(redisServer.url, prefix, "worker", { NODE_ENV: "production", MATCHMAKER_GAME_TYPES: catalogFile });
      try {
        await waitFor(() => streamDrained(redis, streamKey), "the successor to drain", 30_000);
        for (const g of games) {
          const after = await store.get({ gameType: g.gameType, id: g.id });
          expect(after!.version, g.id).toBe(1 + BACKLOG / GAMES);
        }
      } finally {
        await next.stop();
      }
    }
  }, 60_000);
});
