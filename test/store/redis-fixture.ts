import { Redis } from "ioredis";
import { afterAll, beforeAll, expect } from "vitest";
import { createRedisStore } from "../../src/store/redis/redis-store.js";
import { testCatalog } from "../support/games.js";
import { randomPrefix, type RedisServer, startRedisServer } from "../support/redis-server.js";
import type { StoreFactory } from "./contract-support.js";

export interface RedisFixture {
  server(): RedisServer;
  client(): Redis;
  /** A Redis store on a fresh prefix; cleanup asserts no list temp key leaked, then deletes its keys. */
  factory: StoreFactory;
}

/** One redis-server and one client per test file. */
export function useRedisServer(): RedisFixture {
  let server: RedisServer | undefined;
  let redis: Redis | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url, { maxRetriesPerRequest: 3 });
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });
  return {
    server: () => server!,
    client: () => redis!,
    factory: async () => {
      const prefix = randomPrefix();
      const store = createRedisStore({ redis: redis!, prefix, catalog: testCatalog });
      return {
        store,
        async cleanup() {
          await store.close();
          const keys = await redis!.keys(`${prefix}:*`);
          expect(keys.filter((k) => k.includes(":tmp:"))).toEqual([]);
          if (keys.length > 0) await redis!.del(...keys);
        },
      };
    },
  };
}
