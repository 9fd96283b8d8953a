import { Redis } from "ioredis";
import { pino } from "pino";
import { createRedisBus } from "../src/bus/redis-bus.js";
import { createSettingsValidator } from "../src/config/catalog.js";
import type { Catalog } from "../src/domain/game-type.js";
import { createHttpGameServerClient } from "../src/gameserver/http-game-server-client.js";
import type { RedisClient } from "../src/redis/client.js";
import { AUTO_PIPELINING_ONE_REDIS, coalesceWrites } from "../src/redis/connect.js";
import { createGameService } from "../src/service/game-service.js";
import { createRedisStore } from "../src/store/redis/redis-store.js";
import { createRedisEventStream } from "../src/stream/redis-event-stream.js";

/** A bench's data connection to one Redis, set up as the service's own (connect.ts) but for retrying without limit. */
export function benchRedis(url: string): Redis {
  return coalesceWrites(new Redis(url, { enableAutoPipelining: AUTO_PIPELINING_ONE_REDIS, maxRetriesPerRequest: null }));
}

/** The GameService on Redis as the app wires it (silent logs), for benches that call it in process. */
export function redisService(redis: RedisClient, catalog: Catalog, opts: { prefix: string; streamMaxLen?: number; now?: () => number }) {
  const logger = pino({ level: "silent" });
  const store = createRedisStore({ redis, prefix: opts.prefix, catalog });
  const bus = createRedisBus(redis, opts.prefix);
  const stream = createRedisEventStream({ redis, key: `${opts.prefix}:events`, maxLen: opts.streamMaxLen ?? 1_000 });
  const service = createGameService({
    store,
    bus,
    stream,
    catalog,
    gameServers: createHttpGameServerClient({ timeoutMs: 1_000, logger }),
    validateSettings: (type, input) => createSettingsValidator(type)(input),
    logger,
    now: opts.now,
  });
  return { store, bus, stream, service };
}
