import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { ErrorCode, MatchmakerError } from "../../domain/errors.js";
import type { Catalog, LabelKind } from "../../domain/game-type.js";
import { ChangeKind, freeSeats, type GameChangeRecord, type GameRecord } from "../../domain/game.js";
import { mergePages, type Page, type PageItem } from "../../domain/paging.js";
import { DEFAULT_EVENT_DEDUPE_MS, timeoutsMs } from "../deadlines.js";
import type { GameRef, GameStore, ListQuery } from "../game-store.js";
import { decodeGame, encodeGame, encodePlayer, type GameIndexes, labelIndexes, labelWrites, reservationOf } from "./codec.js";
import { createKeys } from "./keys.js";
import { createRedisLifecycle } from "./lifecycle.js";
import { planList } from "./list-plan.js";
import { changeOf, detailOf, guarded, type ScriptReply } from "./replies.js";
import { ScriptCode, scriptError } from "./script-errors.js";
import { registerScripts, type ScriptName } from "./scripts.js";

export interface RedisStoreOptions {
  /** Used as is and never closed by the store: its owner closes it. */
  redis: Redis;
  /** Key prefix (e.g. "mm"); must not contain "{" or "}". */
  prefix: string;
  /** Declares the labels each game type indexes for filtering, and its state timeouts. */
  catalog: Catalog;
  /** How long an applied event_id is remembered, in Redis server time (default 24 h; ≤ 0: not at all). */
  eventDedupeMs?: number;
}

/**
 * Redis backend of {@link GameStore}: every mutation is one Lua script on the game
 * type's hash slot; list is one script per game type, merged here.
 * Refusals reject with the same MatchmakerErrors as the memory store; connection
 * trouble rejects with BACKEND_UNAVAILABLE. Throws BAD_USER_INPUT at once for a
 * prefix with braces, and per call for ids or types containing ":", "{" or "}".
 */
export function createRedisStore({ redis, prefix, catalog, eventDedupeMs = DEFAULT_EVENT_DEDUPE_MS }: RedisStoreOptions): GameStore {
  const keys = createKeys(prefix);
  const run = registerScripts(redis);
  const kinds = (type: string): Readonly<Record<string, LabelKind>> => catalog.get(type)?.labels ?? {};
  // Serialized once per type: the catalog does not change while the process runs.
  const timeoutsCache = new Map<string, string>();
  const timeoutsJson = (type: string) => {
    let json = timeoutsCache.get(type);
    if (json === undefined) timeoutsCache.set(type, (json = JSON.stringify(timeoutsMs(catalog, type))));
    return json;
  };
  let closed = false;

  const mutate = async (
    name: ScriptName,
    ref: GameRef,
    extraKeys: string[],
    args: string[],
    kind: ChangeKind,
  ): Promise<GameChangeRecord> => {
    const scriptKeys = [...keys.gameScriptKeys(ref.gameType, ref.id), ...extraKeys];
    const reply = (await guarded(() => run(name, scriptKeys, args))) as ScriptReply;
    if (reply[0] !== ScriptCode.OK) throw scriptError(reply[0], ref.id, detailOf(reply));
    return changeOf(reply, kind);
  };

  const indexesOf = (game: GameRecord): GameIndexes => ({
    visibility: keys.visibilityIndex(game.gameType, game.visibility),
    region: game.region === null ? null : keys.regionIndex(game.gameType, game.region),
    labels: labelIndexes(keys, game.gameType, kinds(game.gameType), game.labels),
  });

  const listType = async (type: string, q: ListQuery, first: number, token: string): Promise<Page> => {
    const plan = planList(keys, type, kinds(type), q.filter, q.sort, token);
    if (plan === null) return { items: [], totalCount: 0, hasNextPage: false };
    const args = [
      JSON.stringify(plan.ops),
      String(plan.tempCount),
      q.sort.direction,
      String(first),
      q.after === null ? "" : String(q.after.score),
      q.after === null ? "" : q.after.id,
      keys.gamePrefix(type),
    ];
    const [total, more, ...rows] = (await guarded(() => run("list", plan.keys, args))) as [
      number,
      number,
      ...[string, string, string[]][],
    ];
    const items: PageItem[] = rows
      // A hash gone missing under its index entry would be a bug; never hand out a half game.
      .filter(([, , flat]) => flat.length > 0)
      .map(([id, score, flat]) => ({ game: decodeGame(flat), cursor: { score: Number(score), id } }));
    return { items, totalCount: total, hasNextPage: more === 1 };
  };

  return {
    async create(game) {
      const ix = indexesOf(game);
      const statics = [{ key: ix.visibility, score: "" }, ...(ix.region ? [{ key: ix.region, score: "" }] : []), ...ix.labels];
      const args = [
        String(game.createdAt),
        String(freeSeats(game)),
        timeoutsJson(game.gameType),
        ...statics.map((s) => s.score),
        ...encodeGame(game, ix),
      ];
      return mutate("create", game, statics.map((s) => s.key), args, ChangeKind.CREATED);
    },

    async get(ref) {
      const flat = await guarded(() => redis.call("HGETALL", keys.game(ref.gameType, ref.id)));
      return Array.isArray(flat) && flat.length > 0 ? decodeGame(flat as string[]) : null;
    },

    async join(cmd) {
      const { player, joinCode } = cmd;
      const args = [
        player.id,
        encodePlayer(player),
        reservationOf(player),
        joinCode === null ? "0" : "1",
        joinCode ?? "",
        JSON.stringify(cmd.joinable),
        JSON.stringify(cmd.seatsFilled),
        String(cmd.now),
        timeoutsJson(cmd.ref.gameType),
      ];
      return mutate("join", cmd.ref, [], args, ChangeKind.UPDATED);
    },

    async leave(cmd) {
      const args = [cmd.playerId, JSON.stringify(cmd.seatFreed), String(cmd.now), timeoutsJson(cmd.ref.gameType)];
      // Only the creator's leave removes the game; the script then answers with its last state.
      const change = await mutate("leave", cmd.ref, [], args, ChangeKind.UPDATED);
      const deleted = cmd.playerId === change.game.creatorId;
      return deleted ? { ...change, kind: ChangeKind.DELETED } : change;
    },

    async update(cmd) {
      const { ref, patch, actor } = cmd;
      const extra: string[] = [];
      if (patch.visibility !== undefined) extra.push(keys.visibilityIndex(ref.gameType, patch.visibility));
      let labels = "";
      if (patch.labels !== undefined) {
        // Index keys follow the fixed keys and the visibility key, so their KEYS positions are known here.
        const first = keys.gameScriptKeys(ref.gameType, ref.id).length + extra.length + 1;
        const w = labelWrites(keys, ref.gameType, kinds(ref.gameType), patch.labels, first);
        extra.push(...w.keys);
        labels = w.entries;
      }
      const args = [
        actor.admin ? "0" : "1",
        actor.id,
        cmd.expectedVersion === null ? "" : String(cmd.expectedVersion),
        String(cmd.now),
        patch.settings === undefined ? "" : JSON.stringify(patch.settings),
        labels,
        patch.visibility ?? "",
        patch.joinCode === undefined ? "" : patch.joinCode === null ? "clear" : "set",
        patch.joinCode ?? "",
        timeoutsJson(ref.gameType),
      ];
      return mutate("update", ref, extra, args, ChangeKind.UPDATED);
    },

    async delete(cmd) {
      const mustBeCreator = cmd.actor !== null && !cmd.actor.admin;
      const args = [mustBeCreator ? "1" : "0", cmd.actor?.id ?? "", String(cmd.now)];
      return mutate("delete", cmd.ref, [], args, ChangeKind.DELETED);
    },

    async list(q) {
      const first = Math.max(0, Math.floor(q.first));
      const token = randomBytes(8).toString("hex");
      const pages = await Promise.all(q.filter.gameTypes.map((type) => listType(type, q, first, token)));
      return mergePages(pages, first, q.sort.direction);
    },

    ...createRedisLifecycle({ redis, keys, run, kinds, timeoutsJson, eventDedupeMs }),

    async ping() {
      if (closed) throw new MatchmakerError(ErrorCode.BACKEND_UNAVAILABLE, "The store is closed.");
      await guarded(() => redis.ping());
    },

    async close() {
      closed = true;
    },
  };
}
