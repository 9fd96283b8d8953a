import { Redis } from "ioredis";
import type { TestApp } from "../support/app.js";
import { waitFor } from "../support/app.js";
import type { MemoryEventStream } from "../../src/stream/memory-event-stream.js";
import { streamDrained } from "../support/stream-drained.js";

/**
 * Writes to and reads from the app's event stream as a game server and an operator
 * would: plain XADD with the original field names on Redis, the in-memory stream in
 * embedded mode (where game servers use reportGameEvents).
 */
export function streamAccess(t: TestApp, redisUrl: string | null) {
  const stream = t.app.backends.stream;
  const redis = redisUrl ? new Redis(redisUrl) : null;
  return {
    async xadd(...entries: Record<string, string>[]): Promise<void> {
      if (!redis) {
        await stream.append(entries);
        return;
      }
      for (const fields of entries) await redis.xadd(stream.key, "*", ...Object.entries(fields).flat());
    },
    /** Dead letters as an operator sees them: the original fields plus dead_reason and friends. */
    async deadLetters(): Promise<Record<string, string>[]> {
      if (!redis) {
        return (stream as MemoryEventStream).deadLetters().map((d) => ({ ...d.entry.fields, dead_reason: d.reason }));
      }
      const rows = await redis.xrange(stream.deadLetterKey, "-", "+");
      return rows.map(([, flat]) => Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]])));
    },
    /** Resolves once every entry written so far has been delivered and acknowledged. */
    async drained(): Promise<void> {
      const done = redis
        ? () => streamDrained(redis, stream.key)
        : async () => (await stream.pendingCount()) === 0 && (await stream.lag()) === 0;
      await waitFor(done, "the stream to drain");
    },
    close: () => redis?.disconnect(),
  };
}
