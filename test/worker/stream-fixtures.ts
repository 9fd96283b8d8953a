import type { Redis } from "ioredis";
import type { DeadLetter, EventStream } from "../../src/stream/event-stream.js";
import { createMemoryEventStream } from "../../src/stream/memory-event-stream.js";
import { createRedisEventStream, DEAD_FIELD_PREFIX } from "../../src/stream/redis-event-stream.js";
import { randomPrefix, type RedisServer } from "../support/redis-server.js";
import { useRedisClient } from "../support/use-redis.js";

export interface StreamFixture {
  stream: EventStream;
  /** The dead letters as an operator would read them back. */
  deadLetters(): Promise<DeadLetter[]>;
  cleanup(): Promise<void>;
}

/** Returns a fresh, empty stream (its group not yet created) for every call. */
export type StreamFactory = (opts?: { maxLen?: number }) => Promise<StreamFixture>;

export const memoryStreams: StreamFactory = async (opts = {}) => {
  const stream = createMemoryEventStream({ key: `${randomPrefix()}:events`, maxLen: opts.maxLen });
  return { stream, deadLetters: async () => stream.deadLetters(), cleanup: () => stream.close() };
};

/** Parses `<key>:dead` back: original fields as they are, the rest from the dead_ fields. */
export async function readDeadStream(redis: Redis, deadKey: string): Promise<DeadLetter[]> {
  const rows = (await redis.xrange(deadKey, "-", "+")) as [string, string[]][];
  return rows.map(([, flat]) => {
    const fields: Record<string, string> = {};
    const dead: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) {
      const [name, value] = [flat[i]!, flat[i + 1]!];
      if (name.startsWith(DEAD_FIELD_PREFIX)) dead[name.slice(DEAD_FIELD_PREFIX.length)] = value;
      else fields[name] = value;
    }
    return {
      entry: { id: dead.original_id!, fields, deliveries: Number(dead.deliveries) },
      reason: dead.reason!,
      detail: dead.detail!,
    };
  });
}

export interface RedisStreams {
  server(): RedisServer;
  /** The caller's connection shared by every stream of the file. */
  client(): Redis;
  factory: StreamFactory;
}

/** One private redis-server per test file; every stream gets a random key, deleted on cleanup. */
export function useRedisStreams(): RedisStreams {
  const { server, client } = useRedisClient();
  return {
    server,
    client,
    factory: async (opts = {}) => {
      const stream = createRedisEventStream({ redis: client(), key: `${randomPrefix()}:events`, maxLen: opts.maxLen });
      return {
        stream,
        deadLetters: () => readDeadStream(client(), stream.deadLetterKey),
        async cleanup() {
          await stream.close();
          await client().del(stream.key, stream.deadLetterKey);
        },
      };
    },
  };
}
