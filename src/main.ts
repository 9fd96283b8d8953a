import "reflect-metadata";
import { Redis } from "ioredis";
import type { ChangeBus } from "./bus/change-bus.js";
import { createMemoryBus } from "./bus/memory-bus.js";
import { createRedisBus } from "./bus/redis-bus.js";
import { createSettingsValidator, loadCatalog } from "./config/catalog.js";
import type { Env } from "./config/env.js";
import type { Catalog } from "./domain/game-type.js";
import { buildGameSchema } from "./graphql/schema.js";
import { type ApiServer, createApiServer } from "./http/api-server.js";
import type { Logger } from "./logger.js";
import { createMetrics } from "./metrics.js";
import { createGameService, type GameService } from "./service/game-service.js";
import type { GameStore } from "./store/game-store.js";
import { createMemoryStore } from "./store/memory/memory-store.js";
import { createRedisStore } from "./store/redis/redis-store.js";

export interface Backends {
  store: GameStore;
  bus: ChangeBus;
  mode: "redis" | "embedded";
  close(): Promise<void>;
}

/** Redis when REDIS_URL is set, else the embedded in-memory backend (one process, nothing kept). */
export function createBackends(env: Env, catalog: Catalog, logger: Logger): Backends {
  if (!env.redisUrl) {
    logger.warn(
      "EMBEDDED MODE: REDIS_URL is not set, so games live in this process's memory only — " +
        "they are lost on restart and not shared with other processes. Set REDIS_URL for production.",
    );
    const store = createMemoryStore();
    const bus = createMemoryBus(env.keyPrefix);
    return { store, bus, mode: "embedded", close: async () => void (await Promise.all([bus.close(), store.close()])) };
  }
  const redis = new Redis(env.redisUrl, {
    // Back off on reconnect, clamped, instead of hammering a restarting server.
    retryStrategy: (times) => Math.min(times * 200, 5_000),
    maxRetriesPerRequest: 3,
  });
  redis.on("error", (err) => logger.warn({ err: err.message }, "redis connection problem; retrying"));
  const store = createRedisStore({ redis, prefix: env.keyPrefix, catalog });
  const bus = createRedisBus(redis, env.keyPrefix);
  return {
    store,
    bus,
    mode: "redis",
    async close() {
      await bus.close();
      await store.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export interface App {
  service: GameService;
  api: ApiServer;
  backends: Backends;
  /** Stops the API, then the backends. Safe to call twice. */
  close(): Promise<void>;
}

/** Wires one API process. Throws ConfigError for a broken catalog before anything listens. */
export async function createApp(env: Env, logger: Logger, catalog: Catalog = loadCatalog(env.gameTypesPath)): Promise<App> {
  const backends = createBackends(env, catalog, logger);
  const service = createGameService({
    store: backends.store,
    bus: backends.bus,
    catalog,
    validateSettings: (type, input) => createSettingsValidator(type)(input),
    logger,
  });
  const api = await createApiServer({
    schema: await buildGameSchema(),
    service,
    jwt: { secret: env.jwtSecret, issuer: env.jwtIssuer },
    logger,
    ready: () => backends.store.ping(),
    metrics: createMetrics(),
  });
  let closing: Promise<void> | null = null;
  return {
    service,
    api,
    backends,
    close() {
      closing ??= (async () => {
        try {
          await api.close();
        } finally {
          await backends.close();
        }
      })();
      return closing;
    },
  };
}
