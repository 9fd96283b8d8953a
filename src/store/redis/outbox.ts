import { randomUUID } from "node:crypto";
import type { RedisClient } from "../../redis/client.js";
import type { ControlCall, ControlOutbox, PendingControlCall } from "../game-store.js";
import { OUTBOX_FIRST_HOLD_MS, OUTBOX_MAX_HOLD_MS } from "../outbox-backoff.js";
import type { RedisKeys } from "./keys.js";
import { guarded } from "./replies.js";
import type { ScriptRunner } from "./scripts.js";

type Stored = Omit<PendingControlCall, "id">;

/**
 * The game-server outbox on Redis: per game type a hash of calls and a sorted set of their
 * due times, under the type's hash tag. Rejects with BACKEND_UNAVAILABLE when Redis is not reachable.
 */
export function createRedisOutbox(deps: { redis: RedisClient; keys: RedisKeys; run: ScriptRunner }): ControlOutbox {
  const { redis, keys, run } = deps;
  return {
    async scheduleControl(call: ControlCall, dueAt, now) {
      const id = randomUUID();
      const stored: Stored = { ...call, attempts: 0, since: now };
      await guarded(async () => {
        const results = await redis
          .multi()
          .hset(keys.outbox(call.gameType), id, JSON.stringify(stored))
          .zadd(keys.outboxDue(call.gameType), String(dueAt), id)
          .exec();
        for (const [err] of results ?? []) if (err) throw err;
      });
      return id;
    },

    async takeDueControls(gameType, now, limit, minHoldMs = 0) {
      if (limit <= 0) return [];
      const args = [String(now), String(limit), String(OUTBOX_FIRST_HOLD_MS), String(OUTBOX_MAX_HOLD_MS), String(Math.max(0, minHoldMs))];
      const flat = (await guarded(() => run("outboxTake", [keys.outbox(gameType), keys.outboxDue(gameType)], args))) as string[];
      const out: PendingControlCall[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) out.push({ id: flat[i]!, ...(JSON.parse(flat[i + 1]!) as Stored) });
      return out;
    },

    async completeControl(gameType, id) {
      await guarded(() => redis.multi().hdel(keys.outbox(gameType), id).zrem(keys.outboxDue(gameType), id).exec());
    },
  };
}
