import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, tokenFor, waitFor } from "../support/app.js";
import { apiClient, ok } from "../support/api-client.js";
import { randomPrefix, startRedisServer } from "../support/redis-server.js";
import { startRedisCluster } from "../support/redis-cluster.js";

/** A Redis the test starts: how the app's variables name it, a client of it, and how to stop it. */
interface Started {
  env: (role: "data" | "stream") => Record<string, string>;
  client: () => Redis | Cluster;
  stop: () => Promise<void>;
}

const single = async (): Promise<Started> => {
  const s = await startRedisServer();
  return { env: (role) => ({ [role === "data" ? "REDIS_URL" : "EVENT_STREAM_REDIS_URL"]: s.url }), client: () => new Redis(s.url), stop: () => s.stop() };
};
const cluster = async (): Promise<Started> => {
  const c = await startRedisCluster({ masters: 3 });
  const nodes = c.seeds.split(",").map((hp) => ({ host: hp.split(":")[0]!, port: Number(hp.split(":")[1]) }));
  return {
    env: (role) => ({ [role === "data" ? "REDIS_CLUSTER_NODES" : "EVENT_STREAM_CLUSTER_NODES"]: c.seeds }),
    client: () => new Redis.Cluster(nodes),
    stop: () => c.stop(),
  };
};

const LAYOUTS = [
  { name: "one Redis, the stream on another (EVENT_STREAM_REDIS_URL)", data: single, stream: single },
  { name: "a Redis Cluster, the stream on one Redis (EVENT_STREAM_REDIS_URL)", data: cluster, stream: single },
  { name: "one Redis, the stream on a Redis Cluster (EVENT_STREAM_CLUSTER_NODES)", data: single, stream: cluster },
];

describe.each(LAYOUTS)("event stream elsewhere: game data on $name", (layout) => {
  let data: Started, events: Started, t: TestApp;
  beforeAll(async () => {
    [data, events] = await Promise.all([layout.data(), layout.stream()]);
    t = await startTestApp({
      prefix: randomPrefix(),
      worker: true,
      env: { ...data.env("data"), ...events.env("stream"), EVENT_STREAM_KEY: "game_event_stream", WORKER_BLOCK_MS: "20" },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await Promise.all([data?.stop(), events?.stop()]);
  });

  it("consumes what game servers XADD there and keeps game data on the other", async () => {
    const api = apiClient(t.url);
    const g = (await ok(api.createGame({ input: { gameType: "party-quiz" } }, await tokenFor("alice")))).createGame;
    const producer = events.client();
    const dataClient = data.client();
    try {
      await producer.xadd("game_event_stream", "*", "product_id", "party-quiz", "game_id", g.id, "type", "metadata", "meta.mode", "ranked");
      await waitFor(async () => (await ok(api.game({ id: g.id }))).game!.version === 2, "the event to be applied");
      expect((await ok(api.game({ id: g.id }))).game!.labels).toEqual({ mode: "ranked" });
      // The group lives next to the stream; the data side holds no stream at all.
      expect(await producer.xinfo("GROUPS", "game_event_stream")).toHaveLength(1);
      expect(await dataClient.exists("game_event_stream")).toBe(0);
    } finally {
      producer.disconnect();
      dataClient.disconnect();
    }
  });
});
