import type { RedisClient } from "../../redis/client.js";
import type { LabelKind } from "../../domain/game-type.js";
import { ChangeKind } from "../../domain/game.js";
import { resultText } from "../deadlines.js";
import { isEntryId } from "../../domain/entry-ids.js";
import { type ActivityOutcome, type EventCommand, type EventEffect, EventHeldError, type EventOutcome, type GameLifecycleStore, type GameRef } from "../game-store.js";
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

/**
 * Events at most in one events-n call (a game's events are never split across calls, see
 * chunksByGame, so one game can make a call longer). The call holds the shard for ~30 µs
 * per event: 50 keeps other clients of the type waiting ~1.5 ms at most, spreads the
 * per-call cost thin already, and lets the worker publish one call's changes while Redis
 * applies the next.
 */
const EVENTS_PER_CALL = 50;

/**
 * `indexes` (into `cmds`, in order) cut into calls of about EVENTS_PER_CALL, each game's
 * events together and in order: the script holds a game's later events back after one that
 * failed, which it can only do for events it sees.
 */
function chunksByGame(cmds: readonly EventCommand[], indexes: number[]): number[][] {
  const byGame = new Map<string, number[]>();
  for (const i of indexes) {
    const id = cmds[i]!.ref.id;
    const list = byGame.get(id);
    if (list) list.push(i);
    else byGame.set(id, [i]);
  }
  const chunks: number[][] = [];
  let current: number[] = [];
  for (const list of byGame.values()) {
    if (current.length > 0 && current.length + list.length > EVENTS_PER_CALL) {
      chunks.push(current);
      current = [];
    }
    current = current.concat(list);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** The effect's arguments and extra KEYS for the event scripts; the extra KEYS start at position `firstKey`. */
function effectArgs(deps: RedisLifecycleDeps, ref: GameRef, effect: EventEffect, firstKey: number) {
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
      const w = labelWrites(deps.keys, ref.gameType, deps.kinds(ref.gameType), effect.labels, firstKey);
      return { keys: w.keys, args: [w.entries] };
    }
    case "touch":
    default:
      // Also a kind this build does not know: the script raises "unknown event effect" for it.
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
  const window = String(Math.max(1, Math.floor(deps.eventDedupeMs)));
  const dedupes = (eventId: string | null) => eventId !== null && deps.eventDedupeMs > 0;

  /** A script reply for `cmd` as its outcome; refusals as the typed errors of applyEvent. */
  function outcomeOf(reply: ScriptReply, cmd: EventCommand): EventOutcome {
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
      case ScriptCode.HELD:
        throw new EventHeldError(cmd.ref.id);
      case ScriptCode.FAILED:
        throw new Error(`applying an event to game "${cmd.ref.id}" failed in Redis: ${detailOf(reply) ?? "no detail"}`);
      default: {
        const table = cmd.effect.kind === "transition" ? cmd.effect.table : undefined;
        throw scriptError(reply[0], cmd.ref.id, detailOf(reply), { table });
      }
    }
  }

  /**
   * events-n.lua's KEYS and ARGV for the commands `chunk` (indexes into `cmds`) of one type
   * (see its header): each key once, named by position. A command whose keys cannot be
   * built (a malformed id or label) is rejected in `out` alone and left out of the call.
   */
  function batchCall(type: string, chunk: number[], cmds: readonly EventCommand[], out: Promise<EventOutcome>[]) {
    let scriptKeys: string[] = [];
    const position = new Map<string, number>();
    const at = (key: string): number => {
      let p = position.get(key);
      if (p === undefined) {
        scriptKeys.push(key);
        p = scriptKeys.length;
        position.set(key, p);
      }
      return p;
    };
    const args = [timeoutsJson(type), window];
    const sent: number[] = [];
    for (const i of chunk) {
      const { ref, eventId, entryId, effect, now } = cmds[i]!;
      try {
        if (entryId !== null && !isEntryId(entryId)) throw new RangeError(`not a stream entry id: ${JSON.stringify(entryId)}`);
        if (scriptKeys.length === 0) {
          scriptKeys = keys.gameScriptKeys(type, ref.id);
          scriptKeys.forEach((k, n) => position.set(k, n + 1));
        }
        const game = at(keys.game(type, ref.id));
        const tombstone = at(keys.tombstone(type, ref.id));
        const event = dedupes(eventId) ? at(keys.eventId(type, eventId!)) : 0;
        const e = effectArgs(deps, ref, effect, scriptKeys.length + 1);
        // Label index keys go after the ones so far, where effectArgs numbered them.
        for (const k of e.keys) scriptKeys.push(k);
        args.push(String(game), String(tombstone), String(event), String(now), entryId ?? "", effect.kind, String(e.args.length), ...e.args);
        sent.push(i);
      } catch (err) {
        out[i] = Promise.reject(err);
      }
    }
    return { keys: scriptKeys, args, sent };
  }

function applyEvents(cmds: readonly EventCommand[]): Promise<EventOutcome>[] {
    const out: Promise<EventOutcome>[] = new Array(cmds.length);
    const byType = new Map<string, number[]>();
    cmds.forEach((cmd, i) => {
      const list = byType.get(cmd.ref.gameType);
      if (list) list.push(i);
      else byType.set(cmd.ref.gameType, [i]);
    });
    for (const [type, indexes] of byType) {
      for (const chunk of chunksByGame(cmds, indexes)) {
        const call = batchCall(type, chunk, cmds, out);
        if (call.sent.length === 0) continue;
        const replies = guarded(() => run("events", call.keys, call.args)) as Promise<ScriptReply[]>;
        call.sent.forEach((i, k) => (out[i] = replies.then((r) => outcomeOf(r[k]!, cmds[i]!))));
      }
    }
    return out;
  }

  return {
    // One event is a batch of one: one script (events-n.lua) for both.
    applyEvent: (cmd: EventCommand) => applyEvents([cmd])[0]!,
    applyEvents,

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
