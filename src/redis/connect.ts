import { Redis } from "ioredis";
import type { ClusterTarget, Env } from "../config/env.js";
import type { Logger } from "../logger.js";
import { describeRedis } from "../stream/redis-stream-probe.js";
import { isCluster, type RedisClient } from "./client.js";

/** One Redis (its URL) or a Redis Cluster (its seed nodes). */
export type RedisTarget = { url: string } | { cluster: ClusterTarget };

/** For logs and errors: where, never the credentials. */
export function describeTarget(t: RedisTarget): string {
  if ("url" in t) return describeRedis(t.url);
  const seeds = t.cluster.nodes.map((n) => `${n.host}:${n.port}`);
  return `the Redis Cluster at ${seeds.slice(0, 3).join(", ")}${seeds.length > 3 ? `, … (${seeds.length} seeds)` : ""}`;
}

/** Two targets are one connection when they name the same server or the same seeds. */
export const sameTarget = (a: RedisTarget, b: RedisTarget) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Off on one Redis: ioredis sends a connection's next auto-pipeline only once every reply of
 * the one in flight is back, so Node and Redis take turns instead of working at once (each was
 * idle about half the time). Commands written as they are issued still overlap their round
 * trips: 25–50 % more matches and worker changes per second in the bench, API paths within its
 * noise. A cluster keeps it (a pipeline per node in flight, and measured faster there).
 */
export const AUTO_PIPELINING_ONE_REDIS = false;

/**
 * A data connection that fails fast: while Redis is unreachable a command is refused at once
 * (no offline queue) and one that gets no answer within REDIS_COMMAND_TIMEOUT_MS fails, so API
 * calls answer BACKEND_UNAVAILABLE within about a second instead of queueing; reconnects go
 * on in the background with a clamped back-off, and service resumes by itself. On a cluster a
 * dropped node connection is replaced on the next command (via MOVED); MOVED/ASK/TRYAGAIN are
 * followed at once (the command did not run), while a command caught by a failover fails
 * rather than being re-sent later.
 */
export function connect(target: RedisTarget, env: Env, logger: Logger): RedisClient {
  const perNode = {
    // Back off on reconnect, clamped, instead of hammering a restarting server (one Redis; a
    // cluster's node connections are replaced instead, see below).
    retryStrategy: (times: number) => Math.min(times * 200, 2_000),
    maxRetriesPerRequest: 1,
    // What was in flight on a dropped connection fails and is not re-sent: it may have run, and
    // sent again it would run twice (a second INCR, a script's writes again). Its caller is told so.
    autoResendUnfulfilledCommands: false,
    enableOfflineQueue: false,
    commandTimeout: env.redisCommandTimeoutMs,
    connectTimeout: env.redisCommandTimeoutMs,
  };
  const redis: RedisClient =
    "url" in target
      ? coalesceWrites(new Redis(target.url, { ...perNode, enableAutoPipelining: AUTO_PIPELINING_ONE_REDIS }))
      : new Redis.Cluster(target.cluster.nodes, {
          enableOfflineQueue: false,
          // Commands of one tick for one node share a round trip (unlike one Redis: see
          // AUTO_PIPELINING_ONE_REDIS). Scripts whose key count varies are kept out
          // (registerScripts): their first argument is not a key.
          enableAutoPipelining: true,
          // Keep asking the seeds through a failover instead of giving up after a few tries.
          clusterRetryStrategy: (times) => Math.min(times * 200, 2_000),
          // No delayed re-sends: a command re-sent after a failover would run on the new master
          // after its caller was already told BACKEND_UNAVAILABLE (commandTimeout), so a refused call
          // would have been applied after all. Without them a refusal during a failover means
          // "not applied" (but for the instant before the old master died). MOVED/ASK redirects
          // still follow at once.
          retryDelayOnFailover: 0,
          retryDelayOnClusterDown: 0,
          retryDelayOnTryAgain: 0,
          maxRedirections: 16,
          // Each refresh opens a fresh connection (TCP, TLS, AUTH): give it time.
          slotsRefreshTimeout: Math.max(1_000, env.redisCommandTimeoutMs),
          // No clusterNodeRetryStrategy: a node connection that drops leaves the pool, and the next
          // command for its slots is redirected (MOVED) to whoever owns them — the new master after
          // a failover, or a fresh connection to the same node. Reconnecting in place would keep
          // sending to a dead master until the next slot refresh (7 s of failures in the failover test, not 2).
          redisOptions: {
            ...perNode,
            ...(target.cluster.username ? { username: target.cluster.username } : {}),
            ...(target.cluster.password ? { password: target.cluster.password } : {}),
            ...(target.cluster.tls ? { tls: {} } : {}),
          },
        });
  if (isCluster(redis)) {
    // The client opens a node's connection on its first command, and without an offline queue
    // refuses others while that connection is opening: open each one as soon as it is known.
    redis.on("+node", (node: Redis) => void node.ping().catch(() => {}));
    // "error" fires only when every node fails; one node at a time is worth a line too (at most one per 10 s).
    let lastNodeError = 0;
    redis.on("node error", (err: Error, node: string) => {
      if (!wasReady || Date.now() - lastNodeError < 10_000) return;
      lastNodeError = Date.now();
      logger.warn({ err: err.message, node }, "A Redis Cluster node is unreachable; its slots fail until it is back or failed over");
    });
  }
  const where = describeTarget(target);
  let down = false;
  let wasReady = false;
  // One line when the connection goes and one when it is back, not one per reconnect attempt;
  // before it was ever up, start-up's own wait (waitForRedis) speaks for it.
  redis.on("error", (err: Error) => {
    if (down || !wasReady) return;
    down = true;
    logger.warn({ err: err.message, redis: where }, "Redis is unreachable; retrying in the background");
  });
  redis.on("ready", () => {
    wasReady = true;
    if (!down) return;
    down = false;
    logger.info({ redis: where }, "Redis is reachable again");
  });
  return redis;
}

/**
 * Commands issued in one turn of the event loop leave in one socket write. ioredis writes each
 * command as it is issued (one syscall each: ~340k writes for the tickets bench's 100k tickets);
 * corked until the turn's end they leave in one `writev` (~14k), without waiting on replies as
 * auto-pipelining does (AUTO_PIPELINING_ONE_REDIS). Applied to each socket the client opens.
 */
export function coalesceWrites(redis: Redis): Redis {
  const cork = () => {
    const stream = redis.stream as (Redis["stream"] & { [CORKED]?: true }) | undefined;
    if (!stream || stream[CORKED]) return;
    stream[CORKED] = true;
    const write = stream.write;
    let corked = false;
    const flush = () => {
      corked = false;
      stream.uncork();
    };
    stream.write = function (this: typeof stream, ...args: Parameters<typeof write>) {
      if (!corked) {
        corked = true;
        stream.cork();
        process.nextTick(flush);
      }
      return write.apply(this, args);
    } as typeof write;
  };
  // "connect" fires on each new socket (reconnects too), just after the handshake's few commands were written.
  redis.on("connect", cork);
  return redis;
}
const CORKED = Symbol("writes coalesced");

/** Start-up could not complete; the message is the one line to show. */
export class StartupError extends Error {}

/**
 * Waits for each connection to be ready, up to REDIS_STARTUP_TIMEOUT_MS. Rejects with a
 * StartupError naming the Redis that could not be reached.
 */
export async function waitForRedis(clients: { redis: RedisClient; target: RedisTarget }[], timeoutMs: number): Promise<void> {
  await Promise.all(
    clients.map(
      ({ redis, target }) =>
        new Promise<void>((resolve, reject) => {
          if (redis.status === "ready") return resolve();
          const timer = setTimeout(() => {
            redis.off("ready", onReady);
            const vars = "url" in target ? "REDIS_URL / EVENT_STREAM_REDIS_URL" : "REDIS_CLUSTER_NODES / EVENT_STREAM_CLUSTER_NODES";
            reject(new StartupError(`Redis at ${describeTarget(target)} is not reachable (waited ${timeoutMs} ms). Check ${vars}.`));
          }, timeoutMs);
          const onReady = () => {
            clearTimeout(timer);
            // Every master's connection open too, so the first requests are not refused while one opens.
            if (!isCluster(redis)) return resolve();
            void Promise.all(redis.nodes("master").map((n) => n.ping().catch(() => {}))).then(() => resolve());
          };
          redis.once("ready", onReady);
        }),
    ),
  );
}
