import type { RedisClient } from "../../redis/client.js";
import type { LabelKind } from "../../domain/game-type.js";
import { ChangeKind } from "../../domain/game.js";
import { resultText } from "../deadlines.js";
import { isEntryId } from "../../domain/entry-ids.js";
import type { ActivityOutcome, EventCommand, EventEffect, GameLifecycleStore, GameRef } from "../game-store.js";
import { labelWrites } from "./codec.js";
import type { RedisKeys } from "./keys.js";
import { changeOf, detailOf, guarded, type ScriptReply } from "./replies.js";
import { ScriptCode, scriptError } from "./script-errors.js";
import type { ScriptRunner } from "./scripts.js";

export interface RedisLifecycleDeps {
  redis: RedisClient;
  keys: RedisKeys;
  run: ScriptRunner;
  kinds(type: string): Readonly<Record<string, LabelKind>>;
  /** The type's state timeouts in ms as JSON (for the scripts). */
  timeoutsJson(type: string): string;
  /** ≤ 0: event ids are not remembered. */
  eventDedupeMs: number;
}

/** The effect's ARGV (after the kind) and extra KEYS for event-n.lua, whose KEYS so far number `keyCount`. */
function effectArgs(deps: RedisLifecycleDeps, ref: GameRef, effect: EventEffect, keyCount: number) {
  switch (effect.kind) {
    case "transition": {
      const result = effect.result === undefined ? "" : resultText(effect.result);
      return { keys: [], args: [JSON.stringify(effect.table), result, effect.confirmAll ? "1" : "0", String(effect.reservationMs)] };
    }
    case "removePlayer":
      return { keys: [], args: [effect.playerId, JSON.stringify(effect.seatFreed)] };
    case "confirmPlayer":
      return { keys: [], args: [effect.playerId] };
    case "mergeLabels": {
      const w = labelWrites(deps.keys, ref.gameType, deps.kinds(ref.gameType), effect.labels, keyCount + 1);
      return { keys: w.keys, args: [w.entries] };
    }
    case "touch":
      return { keys: [], args: [] };
  }
}

/**
 * The Redis half of {@link GameLifecycleStore}: applyEvent and expire are one Lua script
 * each on the game type's slot; dueGames is one ZRANGE on the deadline index.
 * Rejects like the other store methods (refusals as MatchmakerErrors, connection
 * trouble as BACKEND_UNAVAILABLE).
 */
export function createRedisLifecycle(deps: RedisLifecycleDeps): GameLifecycleStore {
  const { redis, keys, run } = deps;
  const { timeoutsJson } = deps;

  return {
    async applyEvent(cmd: EventCommand) {
      const { ref, eventId, entryId, effect, now } = cmd;
      const scriptKeys = [...keys.gameScriptKeys(ref.gameType, ref.id), keys.tombstone(ref.gameType, ref.id)];
      const dedupe = eventId !== null && deps.eventDedupeMs > 0;
      if (dedupe) scriptKeys.push(keys.eventId(ref.gameType, eventId));
      if (entryId !== null && !isEntryId(entryId)) throw new RangeError(`not a stream entry id: ${JSON.stringify(entryId)}`);
      const e = effectArgs(deps, ref, effect, scriptKeys.length);
      const window = dedupe ? String(Math.max(1, Math.floor(deps.eventDedupeMs))) : "";
      const args = [String(now), timeoutsJson(ref.gameType), window, entryId ?? "", effect.kind, ...e.args];
      const reply = (await guarded(() => run("event", [...scriptKeys, ...e.keys], args))) as ScriptReply;
      switch (reply[0]) {
        case ScriptCode.OK:
          return { status: "applied", change: changeOf(reply, ChangeKind.UPDATED) };
        case ScriptCode.UNCHANGED:
          return { status: "unchanged" };
        case ScriptCode.DUPLICATE:
          return { status: "duplicate" };
        case ScriptCode.GONE:
          return { status: "gone" };
        case ScriptCode.REPLAYED:
          return { status: "replayed", change: changeOf(reply, ChangeKind.UPDATED) };
        default: {
          const table = effect.kind === "transition" ? effect.table : undefined;
          throw scriptError(reply[0], ref.id, detailOf(reply), { table });
        }
      }
    },

    async recordActivity(gameType, ids, now) {
      if (ids.length === 0) return [];
      const scriptKeys = [keys.deadlineIndex(gameType), ...ids.map((id) => keys.game(gameType, id))];
      const flags = (await guarded(() => run("activity", scriptKeys, [String(now), timeoutsJson(gameType)]))) as number[];
      const out: ActivityOutcome[] = flags.map((f) => (f === 1 ? "recorded" : "missing"));
      const missing = ids.filter((_, i) => flags[i] !== 1);
      if (missing.length > 0) {
        const gone = await guarded(() => Promise.all(missing.map((id) => redis.exists(keys.tombstone(gameType, id)))));
        let k = 0;
        flags.forEach((f, i) => {
          if (f !== 1 && gone[k++] === 1) out[i] = "gone";
        });
      }
      return out;
    },

    async markStreamSeen(gameType, now) {
      await guarded(() => redis.set(keys.streamSeen(gameType), String(now), "NX"));
    },

    async streamSeen(gameType) {
      return (await guarded(() => redis.exists(keys.streamSeen(gameType)))) === 1;
    },

    async dueGames(gameType, now, limit) {
      const key = keys.deadlineIndex(gameType);
      if (limit <= 0) return [];
      return guarded(() => redis.zrange(key, "-inf", String(now), "BYSCORE", "LIMIT", 0, Math.floor(limit)));
    },

    async expire(ref, now, seatFreed) {
      const args = [String(now), timeoutsJson(ref.gameType), JSON.stringify(seatFreed)];
      const reply = (await guarded(() => run("expire", keys.gameScriptKeys(ref.gameType, ref.id), args))) as ScriptReply;
      if (reply[0] === ScriptCode.NOT_DUE) return null;
      if (reply[0] !== ScriptCode.OK) throw scriptError(reply[0], ref.id, detailOf(reply));
      // Freed seats come back as a 4th element; without it the script deleted the game.
      const freed = reply[3];
      if (freed !== undefined) return { change: changeOf(reply, ChangeKind.UPDATED), freedPlayers: freed };
      return { change: changeOf(reply, ChangeKind.DELETED), freedPlayers: [] };
    },
  };
}
