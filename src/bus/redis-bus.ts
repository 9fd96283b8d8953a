import { RedisPubSub } from "graphql-redis-subscriptions";
import type { Cluster } from "ioredis";
import type { Logger } from "pino";
import type { ClusterPubSub } from "../config/env.js";
import { copyOf, isCluster, type RedisClient } from "../redis/client.js";
import { ShardedPubSub } from "./sharded-pubsub.js";
import { type ChangeBus, createChangeBus } from "./change-bus.js";

const SUBSCRIBE_ERROR_LOG_MS = 5_000;

/** One change to several topics, serialized once. */
const serializedOnce =
  (publish: (channel: string, json: string) => Promise<unknown>) =>
  (names: string[], message: unknown): Promise<unknown> => {
    const json = JSON.stringify(message);
    return Promise.all(names.map((n) => publish(n, json)));
  };

/**
 * Changes travel over Redis pub/sub so subscribers on every API instance see them.
 * Publishing reuses the caller's connection; subscribing needs a connection of its
 * own (a subscribed connection can do nothing else), which this bus owns and closes.
 */
export function createRedisBus(redis: RedisClient, prefix: string, opts: { clusterPubSub?: ClusterPubSub; logger?: Logger } = {}): ChangeBus {
  if (isCluster(redis)) return opts.clusterPubSub === "plain" ? createPlainClusterBus(redis, prefix) : createShardedBus(redis, prefix, opts.logger);
  // No auto-pipelining: it defers (UN)SUBSCRIBEs a tick, letting QUIT overtake them on close.
  // No ready check: its INFO is refused once an early SUBSCRIBE (sent while connecting) has put
  // the connection in subscriber mode, and the failed check would reconnect in a loop.
  // An offline queue here, unlike the data connection: a subscribe sent while this connection is
  // still connecting (or reconnecting) waits for it instead of failing.
  const subscriber = copyOf(redis, { enableAutoPipelining: false, enableReadyCheck: false, enableOfflineQueue: true });
  return plainPubSubBus(redis, subscriber, prefix);
}

/**
 * On Redis Cluster: sharded pub/sub, so each message reaches only the shard owning its
 * channel (a game's channel hashes by its id, a type's by its name) instead of every node.
 * The subscriber is a cluster client of its own with one subscriber connection per master.
 */
function createShardedBus(redis: Cluster, prefix: string, logger?: Logger): ChangeBus {
  const subscriber = redis.duplicate(undefined, {
    shardedSubscribers: true,
    enableOfflineQueue: true,
    enableReadyCheck: false,
    enableAutoPipelining: false,
    // Unlike the data connection, a subscriber should wait out a failover (nothing is applied twice).
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 200,
    // Redis drops a sharded subscription when its slot moves (reshard) without telling ioredis;
    // refreshing the slots each second finds the move and subscribes on the new owner.
    slotsRefreshInterval: 1_000,
  });
  subscriber.on("error", () => {});
  // One line per few seconds: a failover fails the SSUBSCRIBEs of every watcher starting meanwhile.
  let loggedAt = 0;
  const engine = new ShardedPubSub(redis, subscriber, (channel, err) => {
    if (!logger || Date.now() - loggedAt < SUBSCRIBE_ERROR_LOG_MS) return;
    loggedAt = Date.now();
    logger.warn({ err, channel }, `a sharded SSUBSCRIBE failed; retrying (further failures within ${SUBSCRIBE_ERROR_LOG_MS / 1_000} s are not logged)`);
  });
  return createChangeBus({
    engine,
    prefix,
    send: serializedOnce((channel, json) => redis.spublish(channel, json)),
    onClose: async () => {
      engine.close();
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  });
}

/**
 * On a cluster whose nodes lack sharded pub/sub (Redis < 7): plain PUBLISH, which the cluster
 * forwards to every node, heard on one subscriber connection (to a node ioredis picks; after
 * that node fails it subscribes again on another). Every node then carries every message.
 */
function createPlainClusterBus(redis: Cluster, prefix: string): ChangeBus {
  const subscriber = redis.duplicate(undefined, {
    enableOfflineQueue: true,
    enableReadyCheck: false,
    enableAutoPipelining: false,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 200,
  });
  return plainPubSubBus(redis, subscriber, prefix);
}

/**
 * PUBLISH on the data connection, SUBSCRIBE on `subscriber`, this bus's own connection (a
 * subscribed connection can do nothing else), which it closes.
 */
function plainPubSubBus(publisher: RedisClient, subscriber: RedisClient, prefix: string): ChangeBus {
  // Outages are reported once by the data connection to the same server; this one just reconnects (and resubscribes).
  subscriber.on("error", () => {});
  const engine = new RedisPubSub({ publisher, subscriber });
  return createChangeBus({
    engine,
    prefix,
    // RedisPubSub's subscriber side parses plain JSON.
    send: serializedOnce((channel, json) => publisher.publish(channel, json)),
    onClose: async () => {
      // QUIT, not disconnect: UNSUBSCRIBEs of watchers that just left are still in flight,
      // and cutting the socket under them would reject their promises unhandled.
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  });
}
