import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, waitFor } from "../support/app.js";
import { startApiProcess } from "../support/api-process.js";
import { randomPrefix, startRedisServer } from "../support/redis-server.js";

const GAMES = 30;
const EVENTS_PER_GAME = 100;

describe("a worker killed mid-batch", () => {
  let redisServer: Awaited<ReturnType<typeof startRedisServer>>;
  let redis: Redis;
  let api: TestApp;
  const prefix = randomPrefix();
  const streamKey = `${prefix}:game_event_stream`;

  beforeAll(async () => {
    redisServer = await startRedisServer();
    redis = new Redis(redisServer.url);
    api = await startTestApp({ redisUrl: redisServer.url, prefix });
  });
  afterAll(async () => {
    redis?.disconnect();
    await api?.close();
    await redisServer?.stop();
  });

  it("leaves its batch pending; a live worker reclaims it and every effect is applied exactly once", async () => {
    const host = { id: "host", name: "Host", admin: false };
    const ids: string[] = [];
    for (let i = 0; i < GAMES; i++) ids.push((await api.app.service.createGame(host, { gameType: "party-quiz" })).gameId);
    // Each event changes the game (a new label value), so a double application would show in its version.
    const pipeline = redis.pipeline();
    for (let n = 0; n < EVENTS_PER_GAME; n++) {
      for (const id of ids) {
        pipeline.xadd(streamKey, "*", "product_id", "party-quiz", "game_id", id, "type", "metadata", "event_id", `${id}-${n}`, "meta.n", String(n));
      }
    }
    await pipeline.exec();

    const doomed = await startApiProcess(redisServer.url, prefix, "worker", { WORKER_BATCH_SIZE: "1000", WORKER_CLAIM_IDLE_MS: "600000" });
    const pending = async () => ((await redis.xpending(streamKey, "matchmaker")) as [number])[0];
    await waitFor(async () => (await pending()) > 0, "the doomed worker to read a batch", 10_000);
    // Freeze every write (its scripts and its XACK) so it dies holding a batch, then kill it.
    await redis.call("CLIENT", "PAUSE", "5000", "WRITE");
    doomed.child.kill("SIGKILL");
    await new Promise((r) => doomed.child.once("exit", r));
    await redis.call("CLIENT", "UNPAUSE");
    expect(await pending()).toBeGreaterThan(0);
    // Let the dead worker's entries pass the survivor's claim idle time (100 ms), so its first
    // round reclaims them before reading anything new — which keeps each game's events in order.
    await new Promise((r) => setTimeout(r, 300));

    const survivor = await startTestApp({
      redisUrl: redisServer.url,
      prefix,
      worker: true,
      env: { WORKER_CLAIM_IDLE_MS: "100", WORKER_BLOCK_MS: "50", WORKER_BATCH_SIZE: "500", WORKER_CONSUMER_NAME: "survivor" },
    });
    try {
      await waitFor(
        async () => (await pending()) === 0 && (await redis.xlen(streamKey)) > 0 && (await lag()) === 0,
        "the survivor to drain the stream",
        30_000,
      );
      for (const id of ids) {
        const game = await api.app.service.getGame(id);
        expect(game, id).toMatchObject({ version: 1 + EVENTS_PER_GAME, labels: { n: String(EVENTS_PER_GAME - 1) } });
      }
    } finally {
      await survivor.close();
    }

    async function lag(): Promise<number> {
      return (await survivor.app.backends.stream.lag()) ?? 0;
    }
  });
});
