import type { RedisClient } from "../../redis/client.js";
import type { NormalizedFilter } from "../../domain/filter.js";
import type { Catalog } from "../../domain/game-type.js";
import { ChangeKind, freeSeats, type GameRecord, type PlayerRecord } from "../../domain/game.js";
import { driveRange, type QuickJoinDrive, quickJoinDrive } from "../../domain/quick-join-drive.js";
import type { GameRef, GameStore, QuickJoinCommand } from "../game-store.js";
import { encodePlayer, reservationOf } from "./codec.js";
import type { RedisKeys } from "./keys.js";
import { partyGuardArgs } from "./parties.js";
import { changeOf, detailOf, guarded, type ScriptReply } from "./replies.js";
import { ScriptCode, scriptError } from "./script-errors.js";
import type { ScriptName, ScriptRunner } from "./scripts.js";

export interface RedisMatchmakingDeps {
  redis: RedisClient;
  keys: RedisKeys;
  run: ScriptRunner;
  catalog: Catalog;
  timeoutsJson(type: string): string;
  /** Runs a mutation script on a game's fixed keys; rejects with the mapped refusal. */
  runMutation(name: ScriptName, ref: GameRef, extraKeys: string[], args: string[]): Promise<ScriptReply>;
  /** A new game's static index keys, their scores, and its hash fields (as create takes them). */
  newGameArgs(game: GameRecord): { keys: string[]; scores: string[]; fields: string[] };
}

/** The create and quickjoin scripts' cap argument: a whole number, 0 for none. Never throws. */
export const capArg = (max: number | undefined): number => (max !== undefined && Number.isFinite(max) && max > 0 ? Math.floor(max) : 0);

/** A party as the join and quickjoin scripts take it: [[id, player JSON, reservation], …]. Never throws. */
export const partyArg = (players: readonly PlayerRecord[]): string =>
  JSON.stringify(players.map((p) => [p.id, encodePlayer(p), reservationOf(p)]));

/**
 * The part of a filter the quickjoin script evaluates per candidate (the region is its
 * index), and the label index of its second walk (quickJoinDrive) as {key, min, max}.
 */
const filterArg = (f: NormalizedFilter, drive: { key: string; min: string; max: string } | null): string =>
  JSON.stringify({ ...(f.states ? { states: f.states } : {}), labels: f.labels, ...(drive ? { drive } : {}) });

/**
 * The Redis half of quickJoin, findByCode, attachServerToken and evict: one Lua script
 * each on the game type's slot, except findByCode, one HGET per game type. Rejects like
 * the other store methods (refusals as MatchmakerErrors, BACKEND_UNAVAILABLE).
 */
export function createRedisMatchmaking(
  deps: RedisMatchmakingDeps,
): Pick<GameStore, "quickJoin" | "findByCode" | "attachServerToken" | "evict"> {
  const { redis, keys, run, timeoutsJson, runMutation } = deps;

  return {
    async quickJoin(cmd: QuickJoinCommand) {
      const { gameType, newGame } = cmd;
      const n = deps.newGameArgs(newGame);
      const d = quickJoinDrive(cmd.filter, deps.catalog.get(gameType)?.labels ?? {});
      // The second walk's index, named here: keys.ts is the only place keys are built.
      const driveKey = (q: QuickJoinDrive) =>
        q.kind === "string" ? keys.stringLabelIndex(gameType, q.label, q.value) : keys.numberLabelIndex(gameType, q.label);
      const drive = d ? { key: driveKey(d), ...driveRange(d) } : null;
      const guard = partyGuardArgs(keys, gameType, cmd.partyGuard);
      const scriptKeys = [
        ...keys.gameScriptKeys(gameType, newGame.id),
        keys.quickJoinIndex(gameType, cmd.region),
        keys.createdBy(gameType, newGame.creatorId),
        guard.key,
        ...n.keys,
      ];
      const args = [
        partyArg(cmd.players),
        filterArg(cmd.filter, drive),
        cmd.prefer,
        String(Math.max(1, Math.floor(cmd.scanBudget))),
        JSON.stringify(cmd.joinable),
        JSON.stringify(cmd.seatsFilled),
        String(cmd.now),
        timeoutsJson(gameType),
        keys.gamePrefix(gameType),
        String(newGame.createdAt),
        String(freeSeats(newGame)),
        String(capArg(cmd.maxLiveCreated)),
        newGame.creatorId,
        guard.version,
        ...n.scores,
        ...n.fields,
      ];
      const reply = (await guarded(() => run("quickjoin", scriptKeys, args))) as ScriptReply;
      if (reply[0] === ScriptCode.CREATED) return { change: changeOf(reply, ChangeKind.CREATED), created: true };
      if (reply[0] !== ScriptCode.OK) throw scriptError(reply[0], newGame.id, detailOf(reply));
      return { change: changeOf(reply, ChangeKind.UPDATED), created: false };
    },

    async findByCode(code: string) {
      // Codes are unique per type atomically and across types when issued (see the service).
      const types = deps.catalog.types.map((t) => t.id);
      const ids = await guarded(() => Promise.all(types.map((t) => redis.hget(keys.joinCodes(t), code))));
      const at = ids.findIndex((id) => id !== null);
      return at < 0 ? null : { gameType: types[at]!, id: ids[at]! };
    },

    async attachServerToken(ref: GameRef, token: string, now: number) {
      const reply = await runMutation("token", ref, [], [token, String(now), timeoutsJson(ref.gameType)]);
      return changeOf(reply, ChangeKind.UPDATED);
    },

    async evict(ref, playerIds, seatFreed, now) {
      const args = [JSON.stringify(playerIds), JSON.stringify(seatFreed), String(now), timeoutsJson(ref.gameType)];
      const scriptKeys = keys.gameScriptKeys(ref.gameType, ref.id);
      const reply = (await guarded(() => run("evict", scriptKeys, args))) as ScriptReply;
      if (reply[0] === ScriptCode.NONE_SEATED) return null;
      if (reply[0] !== ScriptCode.OK) throw scriptError(reply[0], ref.id, detailOf(reply));
      return changeOf(reply, ChangeKind.UPDATED);
    },
  };
}
