import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, tokenFor, waitFor } from "../support/app.js";
import { apiClient, ok } from "../support/api-client.js";
import { randomPrefix, type RedisServer, startRedisServer } from "../support/redis-server.js";

describe("event stream on its own Redis (EVENT_STREAM_REDIS_URL)", () => {
  let data: RedisServer, events: RedisServer, t: TestApp;
  beforeAll(async () => {
    [data, events] = await Promise.all([startRedisServer(), startRedisServer()]);
    t = await startTestApp({
      redisUrl: data.url,
      prefix: randomPrefix(),
      worker: true,
      env: { EVENT_STREAM_REDIS_URL: events.url, EVENT_STREAM_KEY: "game_event_stream", WORKER_BLOCK_MS: "20" },
    });
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([data?.stop(), events?.stop()]);
  });

  it("consumes what game servers XADD there and keeps game data on the other Redis", async () => {
    const api = apiClient(t.url);
    const g = (await ok(api.createGame({ input: { gameType: "party-quiz" } }, await tokenFor("alice")))).createGame;
    const producer = new Redis(events.url);
    try {
      await producer.xadd("game_event_stream", "*", "product_id", "party-quiz", "game_id", g.id, "type", "metadata", "meta.mode", "ranked");
      await waitFor(async () => (await ok(api.game({ id: g.id }))).game!.version === 2, "the event to be applied");
      expect((await ok(api.game({ id: g.id }))).game!.labels).toEqual({ mode: "ranked" });
      // The group lives next to the stream; the data Redis holds no stream at all.
      expect(await producer.xinfo("GROUPS", "game_event_stream")).toHaveLength(1);
      const dataClient = new Redis(data.url);
      expect(await dataClient.exists("game_event_stream")).toBe(0);
      dataClient.disconnect();
    } finally {
      producer.disconnect();
    }
  });
});
