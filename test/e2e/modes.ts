import { Redis } from "ioredis";
import { startTestApp, type TestApp, type TestAppOptions, waitFor } from "../support/app.js";
import { randomPrefix, startRedisServer } from "../support/redis-server.js";

/** The two ways to run the API that every end-to-end suite is held to. */
export interface Mode {
  name: "embedded" | "redis";
  /** Starts an API (sharing one Redis per suite in redis mode, a fresh prefix each call). */
  start(opts?: TestAppOptions): Promise<TestApp>;
  /** Redis URL in redis mode (for a second process or direct checks). */
  redisUrl(): string | null;
  teardown(): Promise<void>;
}

export function embeddedMode(): Mode {
  return {
    name: "embedded",
    start: (opts) => startTestApp(opts),
    redisUrl: () => null,
    teardown: async () => {},
  };
}

export function redisMode(): Mode {
  let server: Awaited<ReturnType<typeof startRedisServer>> | null = null;
  return {
    name: "redis",
    async start(opts) {
      server ??= await startRedisServer();
      return startTestApp({ redisUrl: server.url, prefix: randomPrefix(), ...opts });
    },
    redisUrl: () => server?.url ?? null,
    async teardown() {
      await server?.stop();
      server = null;
    },
  };
}

export const bothModes = () => [embeddedMode(), redisMode()];

/**
 * Resolves once `topic` has one more live watcher in `t` than `before` — and, on Redis, once Redis itself has
 * the SUBSCRIBE (graphql-ws "connected" does not mean Redis has subscribed yet).
 */
export async function watcherReady(t: TestApp, topic: string, before: number, redisUrl: string | null): Promise<void> {
  await waitFor(() => t.app.backends.bus.localSubscribers(topic) > before, `one more local watcher on ${topic}`);
  if (redisUrl) await redisSubscribed(redisUrl, topic);
}

export async function redisSubscribed(redisUrl: string, topic: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    await waitFor(async () => {
      const [, n] = (await redis.pubsub("NUMSUB", topic)) as [string, number];
      return n > 0;
    }, `Redis SUBSCRIBE on ${topic}`);
  } finally {
    redis.disconnect();
  }
}

/** On a Redis Cluster (sharded pub/sub): waits until some master holds an SSUBSCRIBE to `topic`. */
export async function clusterSubscribed(seeds: string, topic: string): Promise<void> {
  const nodes = seeds.split(",").map((s) => new Redis(`redis://${s}`, { maxRetriesPerRequest: 1 }));
  try {
    await waitFor(async () => {
      const counts = await Promise.all(nodes.map(async (n) => ((await n.call("PUBSUB", "SHARDNUMSUB", topic).catch(() => [topic, 0])) as [string, number])[1]));
      return counts.some((c) => Number(c) > 0);
    }, `SSUBSCRIBE on ${topic}`);
  } finally {
    for (const n of nodes) n.disconnect();
  }
}
