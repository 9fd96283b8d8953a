import { RedisPubSub } from "graphql-redis-subscriptions";
import type { Redis } from "ioredis";
import { type ChangeBus, createChangeBus } from "./change-bus.js";

/**
 * Changes travel over Redis pub/sub so subscribers on every API instance see them.
 * Publishing reuses the caller's connection; subscribing needs a connection of its
 * own (a subscribed connection can do nothing else), which this bus owns and closes.
 */
export function createRedisBus(redis: Redis, prefix: string): ChangeBus {
  const subscriber = redis.duplicate();
  const engine = new RedisPubSub({ publisher: redis, subscriber });
  return createChangeBus({
    engine,
    prefix,
    onClose: async () => {
      subscriber.disconnect();
    },
  });
}
