import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { type RedisServer, startRedisServer } from "./redis-server.js";

/** One private redis-server and one client for a whole test file (vitest beforeAll/afterAll). */
export function useRedisClient(): { server(): RedisServer; client(): Redis } {
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
  return { server: () => server!, client: () => redis! };
}
