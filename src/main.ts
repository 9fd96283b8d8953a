import "reflect-metadata";
import type { ChangeBus } from "./bus/change-bus.js";
import { createMemoryBus } from "./bus/memory-bus.js";
import { createRedisBus } from "./bus/redis-bus.js";
import { createRateLimits } from "./ratelimit/rate-limits.js";
import { createSettingsValidator, loadCatalog } from "./config/catalog.js";
import type { Env } from "./config/env.js";
import type { Catalog } from "./domain/game-type.js";
import { createHttpGameServerClient } from "./gameserver/http-game-server-client.js";
import { buildGameSchema } from "./graphql/schema.js";
import { type ApiServer, createApiServer } from "./http/api-server.js";
import type { Logger } from "./logger.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { createGameService, type GameService } from "./service/game-service.js";
import type { GameStore } from "./store/game-store.js";
import { createMemoryStore } from "./store/memory/memory-store.js";
import { createRedisStore } from "./store/redis/redis-store.js";
import type { EventStream } from "./stream/event-stream.js";
import { createMemoryEventStream } from "./stream/memory-event-stream.js";
import { createRedisEventStream } from "./stream/redis-event-stream.js";
import { findStreamElsewhere } from "./stream/redis-stream-probe.js";
import { isCluster, type RedisClient } from "./redis/client.js";
import { shardedPubSubSupport } from "./bus/sharded-pubsub.js";
import { connect, describeTarget, type RedisTarget, sameTarget, StartupError, waitForRedis } from "./redis/connect.js";

export { StartupError, waitForRedis };
import { createWorker, type Worker } from "./worker/worker.js";

export interface Backends {
  store: GameStore;
  bus: ChangeBus;
  stream: EventStream;
  mode: "redis" | "embedded";
  /** Where the stream is read from, for operators' eyes (no credentials). */
  streamWhere: string;
  /** Looks for the stream in another database of its Redis when it is empty; resolves to a warning, or null. */
  streamProbe?: () => Promise<string | null>;
  /** Resolves once every connection is up; rejects with StartupError after REDIS_STARTUP_TIMEOUT_MS. */
  ready(): Promise<void>;
  /** The data connection, which the rate limits share (null in embedded mode: they count in memory). */
  redis: RedisClient | null;
  close(): Promise<void>;
}

/** Redis when REDIS_URL or REDIS_CLUSTER_NODES is set, else the embedded in-memory backend (one process, nothing kept). */
export function createBackends(env: Env, catalog: Catalog, logger: Logger): Backends {
  const dataTarget: RedisTarget | null = env.redisCluster ? { cluster: env.redisCluster } : env.redisUrl ? { url: env.redisUrl } : null;
  if (!dataTarget) {
    logger.warn(
      "EMBEDDED MODE: REDIS_URL is not set, so games live in this process's memory only — " +
        "they are lost on restart and not shared with other processes. Set REDIS_URL for production.",
    );
    const store = createMemoryStore({ catalog, eventDedupeMs: env.eventDedupeMs });
    const bus = createMemoryBus(env.keyPrefix);
    const stream = createMemoryEventStream({ key: env.eventStreamKey, maxLen: env.eventStreamMaxLen });
    return {
      store,
      bus,
      stream,
      mode: "embedded",
      ready: async () => {},
      redis: null,
      streamWhere: `the in-memory stream "${stream.key}" (embedded mode: game servers reach it through reportGameEvents)`,
      close: async () => void (await Promise.all([bus.close(), store.close(), stream.close()])),
    };
  }
  const streamTarget: RedisTarget = env.eventStreamCluster
    ? { cluster: env.eventStreamCluster }
    : env.eventStreamRedisUrl
      ? { url: env.eventStreamRedisUrl }
      : dataTarget;
  const redis = connect(dataTarget, env, logger);
  const streamRedis = sameTarget(streamTarget, dataTarget) ? redis : connect(streamTarget, env, logger);
  const store = createRedisStore({ redis, prefix: env.keyPrefix, catalog, eventDedupeMs: env.eventDedupeMs });
  const bus = createRedisBus(redis, env.keyPrefix, { clusterPubSub: env.redisClusterPubSub, logger });
  const stream = createRedisEventStream({
    redis: streamRedis,
    key: env.eventStreamKey,
    maxLen: env.eventStreamMaxLen,
    groupStart: env.eventStreamGroupStart,
  });
  const streamWhere = `stream "${env.eventStreamKey}" on ${describeTarget(streamTarget)}`;
  return {
    store,
    bus,
    stream,
    mode: "redis",
    redis,
    streamWhere,
    async ready() {
      await waitForRedis(
        [...new Map<RedisClient, RedisTarget>([[redis, dataTarget], [streamRedis, streamTarget]]).entries()].map(([r, target]) => ({ redis: r, target })),
        env.redisStartupTimeoutMs,
      );
      if (isCluster(redis) && env.redisClusterPubSub === "sharded") {
        const { lacking, unknown } = await shardedPubSubSupport(redis);
        // A node that will not answer COMMAND may well have it: say so, and go on.
        if (unknown.length > 0) logger.warn({ nodes: unknown }, "Could not check these Redis Cluster nodes for sharded pub/sub (COMMAND INFO refused); if they are older than Redis 7.0, set REDIS_CLUSTER_PUBSUB=plain");
        if (lacking.length > 0) {
          throw new StartupError(
            `The Redis Cluster node(s) ${lacking.join(", ")} have no sharded pub/sub (SPUBLISH, Redis 7.0+). ` +
              "Upgrade them, or set REDIS_CLUSTER_PUBSUB=plain (every change message then reaches every node).",
          );
        }
      }
    },
    async streamProbe() {
      if ((await streamRedis.xlen(env.eventStreamKey).catch(() => 1)) > 0) return null;
      const elsewhere = (await findStreamElsewhere(streamRedis, env.eventStreamKey)).filter((s) => s.length > 0);
      if (elsewhere.length === 0) return null;
      const [first] = elsewhere;
      if (!("url" in streamTarget)) return null;
      const url = new URL(streamTarget.url);
      url.password = url.password ? "****" : "";
      url.pathname = `/${first!.db}`;
      return (
        `The ${streamWhere} is empty, but database ${first!.db} of the same server holds a stream of that name ` +
        `with ${first!.length.toLocaleString("en")} entries: game servers of the original generation write the stream there. ` +
        `Set EVENT_STREAM_REDIS_URL=${url.toString()} to read it.`
      );
    },
    async close() {
      await Promise.all([bus.close(), stream.close()]);
      await store.close();
      for (const r of new Set([redis, streamRedis])) await r.quit().catch(() => r.disconnect());
    },
  };
}

export interface AppOptions {
  /** Which parts run in this process (`matchmaker api|worker|all`). */
  api: boolean;
  worker: boolean;
  catalog?: Catalog;
  /** Clock for expiry (tests control it). */
  now?: () => number;
  /** Serve without query limits: the benchmark's baseline only (the environment cannot ask for it). */
  withoutQueryLimits?: boolean;
}

export interface App {
  service: GameService;
  api: ApiServer | null;
  worker: Worker | null;
  backends: Backends;
  metrics: Metrics;
  /** Stops the API (drain), then the worker (finish and ack its batch), then the backends. Safe to call twice. */
  close(): Promise<void>;
}

/** Wires one process. Throws ConfigError for a broken catalog before anything listens. */
export async function createApp(env: Env, logger: Logger, opts: AppOptions): Promise<App> {
  const catalog = opts.catalog ?? loadCatalog(env.gameTypesPath);
  const backends = createBackends(env, catalog, logger);
  try {
    await backends.ready();
  } catch (err) {
    await backends.close();
    throw err;
  }
  const metrics = createMetrics({ operationNames: env.metricsOperationNames });
  metrics.gameGauges(catalog.types.map((t) => t.id), (type) => backends.store.countByState(type));
  metrics.queueGauges(
    catalog.types.flatMap((t) => (t.queues ?? []).map((q) => ({ gameType: t.id, queueId: q.id }))),
    (gameType, queueId) => backends.store.queueActivity(gameType, queueId, (opts.now ?? Date.now)()),
  );
  const service = createGameService({
    store: backends.store,
    bus: backends.bus,
    stream: backends.stream,
    catalog,
    gameServers: createHttpGameServerClient({ timeoutMs: env.gameServerTimeoutMs, retries: env.gameServerRetries, logger }),
    validateSettings: (type, input) => createSettingsValidator(type)(input),
    logger,
    now: opts.now,
    lateCompensationMs: env.gameServerTimeoutMs * 4,
    // create_game may take a full timeout; the joiners of that game wait for it, with room to spare.
    creationWaitMs: env.gameServerTimeoutMs * 2 + 1_000,
    onGameServerFailure: (call, type) => metrics.gameServerFailures.inc({ call, game_type: type }),
    onGameServerCallAbandoned: (call, type) => metrics.outboxAbandoned.inc({ call, game_type: type }),
    // One call and its retries, each timing out (plus the client's back-off between them).
    gameServerCallMs: env.gameServerTimeoutMs * (env.gameServerRetries + 1) + 1_000,
    maxLiveGamesPerPlayer: env.maxLiveGamesPerPlayer,
  });
  const api = opts.api
    ? await createApiServer({
        schema: await buildGameSchema(),
        service,
        jwt: { secret: env.jwtSecret, issuer: env.jwtIssuer },
        logger,
        ready: () => backends.store.ping(),
        metrics,
        metricsAccess: env.metricsToken ? { token: env.metricsToken } : env.nodeEnv === "production" ? "off" : "open",
        production: env.nodeEnv === "production",
        rateLimits: createRateLimits(env.rateLimits, backends.redis ? { redis: backends.redis, prefix: env.keyPrefix } : null),
        web: { lobby: env.webUi, graphiql: env.graphiql },
        limits: {
          maxBodyBytes: env.httpMaxBodyBytes,
          query: opts.withoutQueryLimits ? null : env.queryLimits,
          wsMaxSubscriptions: env.wsMaxSubscriptions,
          wsMaxConnectionsPerAddress: env.wsMaxConnectionsPerAddress,
          wsMaxBufferedBytes: env.wsMaxBufferedBytes,
          trustProxyHops: env.trustProxyHops,
          corsOrigins: env.corsOrigins,
        },
      })
    : null;
  const worker = opts.worker
    ? createWorker({
        service,
        stream: backends.stream,
        metrics,
        logger,
        streamWhere: backends.streamWhere,
        streamProbe: backends.streamProbe,
        settings: {
          consumerName: env.workerConsumerName,
          batchSize: env.workerBatchSize,
          blockMs: env.workerBlockMs,
          leaseMs: env.workerLeaseMs,
          maxDeliveries: env.workerMaxDeliveries,
          waitReplicas: env.workerWaitReplicas,
          waitTimeoutMs: env.workerWaitTimeoutMs,
          sweepIntervalMs: env.sweepIntervalMs,
          matchTickMs: env.matchTickMs,
        },
      })
    : null;
  let closing: Promise<void> | null = null;
  return {
    service,
    api,
    worker,
    backends,
    metrics,
    close() {
      // Each step runs even when the one before failed: a worker left running on closed backends would spin.
      closing ??= (async () => {
        try {
          await api?.close();
        } finally {
          try {
            await worker?.stop();
          } finally {
            try {
              await service.drain();
            } finally {
              await backends.close();
            }
          }
        }
      })();
      return closing;
    },
  };
}
