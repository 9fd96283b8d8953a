import { describe, expect, it } from "vitest";
import { createRedisBus } from "../../src/bus/redis-bus.js";
import { loadEnv } from "../../src/config/env.js";
import { createLogger } from "../../src/logger.js";
import { createApp, StartupError } from "../../src/main.js";
import { randomPrefix } from "../support/redis-server.js";
import { describeBusContract } from "./bus-contract.js";
import { useRedisCluster } from "./cluster-fixture.js";

// A 3-master cluster whose nodes know no SPUBLISH (renamed away), as a Redis 6 cluster's.
const cluster = useRedisCluster({ masters: 3, extraArgs: ["--rename-command", "SPUBLISH", ""] });

describeBusContract("redis cluster without sharded pub/sub, REDIS_CLUSTER_PUBSUB=plain", async () =>
  createRedisBus(cluster.client(), randomPrefix(), { clusterPubSub: "plain" }),
);

describe("a Redis Cluster without sharded pub/sub", () => {
  it("is refused at start-up under the default REDIS_CLUSTER_PUBSUB=sharded, naming its nodes and the fix", async () => {
    const env = loadEnv({ REDIS_CLUSTER_NODES: cluster.cluster().seeds, LOG_LEVEL: "silent" });
    expect(env.redisClusterPubSub).toBe("sharded");
    const refused = await createApp(env, createLogger("silent"), { api: false, worker: false }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(StartupError);
    expect((refused as Error).message).toMatch(/^The Redis Cluster node\(s\) 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+ have no sharded pub\/sub/);
    expect((refused as Error).message).toContain("REDIS_CLUSTER_PUBSUB=plain");
  });

  it("starts with REDIS_CLUSTER_PUBSUB=plain, and a change reaches a watcher of another process's bus", async () => {
    const env = loadEnv({ REDIS_CLUSTER_NODES: cluster.cluster().seeds, REDIS_CLUSTER_PUBSUB: "plain", LOG_LEVEL: "silent" });
    const [a, b] = await Promise.all([0, 1].map(() => createApp(env, createLogger("silent"), { api: false, worker: false })));
    try {
      const types = a!.service.gameTypes();
      const gameType = types.find((t) => !t.serverUrl)!.id;
      const w = b!.backends.bus.subscribe([b!.backends.bus.topics.gameType(gameType)]);
      await w.ready;
      const made = await a!.service.createGame({ id: "alice", name: "Alice", admin: false }, { gameType });
      const got = await w.next();
      expect(got.value).toMatchObject({ gameId: made.gameId, kind: "CREATED", version: 1 });
      await w.return?.();
    } finally {
      await Promise.all([a!.close(), b!.close()]);
    }
  });
});
