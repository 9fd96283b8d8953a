import type { Cluster } from "ioredis";
import { loadEnv } from "../../src/config/env.js";
import { createLogger } from "../../src/logger.js";
import { connect, waitForRedis } from "../../src/redis/connect.js";
import { afterAll, beforeAll } from "vitest";
import { createRedisStore } from "../../src/store/redis/redis-store.js";
import { testCatalog } from "../support/games.js";
import { type RedisCluster, startRedisCluster } from "../support/redis-cluster.js";
import { randomPrefix } from "../support/redis-server.js";
import type { StoreFactory } from "./contract-support.js";

/** One private 3-master Redis Cluster and one cluster client per test file. */
export function useRedisCluster(opts: { masters?: number; replicas?: number; extraArgs?: readonly string[] } = {}) {
  let cluster: RedisCluster | undefined;
  let client: Cluster | undefined;
  beforeAll(async () => {
    cluster = await startRedisCluster(opts);
    // The production connection (fail fast, no re-sends after a failover, auto-pipelined by node), as the app makes it.
    const env = loadEnv({ REDIS_CLUSTER_NODES: cluster.seeds, LOG_LEVEL: "silent" });
    client = connect({ cluster: env.redisCluster! }, env, createLogger("silent")) as Cluster;
    await waitForRedis([{ redis: client, target: { cluster: env.redisCluster! } }], 10_000);
  }, 60_000);
  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });
  const factory: StoreFactory = async (options = {}) => {
    const prefix = randomPrefix();
    const { catalog = testCatalog, eventDedupeMs, searchBudget } = options;
    const store = createRedisStore({ redis: client!, prefix, catalog, eventDedupeMs, searchBudget });
    return {
      store,
      async cleanup() {
        await store.close();
        // Keys of one prefix live on every master; each is deleted on its own slot.
        for (const node of client!.nodes("master")) {
          const keys = await node.keys(`${prefix}:*`);
          if (keys.length > 0) await Promise.all(keys.map((k) => client!.unlink(k)));
        }
      },
    };
  };
  return { cluster: () => cluster!, client: () => client!, factory };
}
