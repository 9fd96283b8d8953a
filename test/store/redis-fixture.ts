import type { Redis } from "ioredis";
import { createRedisStore } from "../../src/store/redis/redis-store.js";
import { testCatalog } from "../support/games.js";
import { randomPrefix, type RedisServer } from "../support/redis-server.js";
import { useRedisClient } from "../support/use-redis.js";
import type { StoreFactory } from "./contract-support.js";

export interface RedisFixture {
  server(): RedisServer;
  client(): Redis;
  /** A Redis store on a fresh prefix; cleanup deletes its keys. */
  factory: StoreFactory;
}

/** One redis-server and one client per test file. */
export function useRedisServer(): RedisFixture {
  const { server, client } = useRedisClient();
  return {
    server,
    client,
    factory: async (options = {}) => {
      const prefix = randomPrefix();
      const { catalog = testCatalog, eventDedupeMs, searchBudget } = options;
      const store = createRedisStore({ redis: client(), prefix, catalog, eventDedupeMs, searchBudget });
      return {
        store,
        async cleanup() {
          await store.close();
          const keys = await client().keys(`${prefix}:*`);
          if (keys.length > 0) await client().del(...keys);
        },
      };
    },
  };
}
