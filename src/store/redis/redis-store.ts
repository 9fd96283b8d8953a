import { commandTimeoutOf, isCluster, type RedisClient } from "../../redis/client.js";
import { ErrorCode, MatchmakerError } from "../../domain/errors.js";
import type { Catalog, LabelKind } from "../../domain/game-type.js";
import { ALL_STATES, ChangeKind, freeSeats, type GameChangeRecord, type GameRecord, type GameState, type Visibility } from "../../domain/game.js";
import { HostLeaves } from "../../domain/game-type.js";
import { DEFAULT_EVENT_DEDUPE_MS, timeoutsMs } from "../deadlines.js";
import type { GameRef, GameStore } from "../game-store.js";
import { decodeGame, encodeGame, type GameIndexes, labelIndexes, labelWrites } from "./codec.js";
import { createKeys } from "./keys.js";
import { createRedisLifecycle } from "./lifecycle.js";
import { capArg, createRedisMatchmaking, partyArg } from "./matchmaking.js";
import { createRedisParties, partyGuardArgs } from "./parties.js";
import { createRedisTickets } from "./tickets.js";
import { createRedisList } from "./redis-list.js";
import { createRedisOutbox } from "./outbox.js";
import { DEFAULT_REDIS_SEARCH_BUDGET, type SearchBudget, searchBudget } from "../search-budget.js";
import { changeOf, detailOf, guarded, type ScriptReply } from "./replies.js";
import { ScriptCode, scriptError } from "./script-errors.js";
import { registerScripts, type ScriptName } from "./scripts.js";

const REPLICA_COUNT_TTL_MS = 5_000;

export interface RedisStoreOptions {
  /** Used as is and never closed by the store: its owner closes it. */
  redis: RedisClient;
  /** Key prefix (e.g. "mm"); must not contain "{" or "}". */
  prefix: string;
  /** Declares the labels each game type indexes for filtering, and its state timeouts. */
  catalog: Catalog;
  /** How long an applied event_id is remembered, in Redis server time (default 24 h; ≤ 0: not at all). */
  eventDedupeMs?: number;
  /** Work limits of one `list` page per game type (tests shrink them to exercise short pages). */
  searchBudget?: Partial<SearchBudget>;
}

/**
 * Redis backend of {@link GameStore}: every mutation is one Lua script on the game
 * type's hash slot; list is one script per game type, merged here.
 * Refusals reject with the same MatchmakerErrors as the memory store; connection
 * trouble rejects with BACKEND_UNAVAILABLE. Throws BAD_USER_INPUT at once for a
 * prefix with braces, and per call for ids or types containing ":", "{" or "}".
 */
export function createRedisStore({ redis, prefix, catalog, eventDedupeMs = DEFAULT_EVENT_DEDUPE_MS, ...options }: RedisStoreOptions): GameStore {
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

  // Connections lost since the store was made. WAIT counts the writes of the connection it is
  // sent on, so a write on a connection since lost (its master dead, or the same client
  // reconnected) is one WAIT can no longer vouch for.
  // Watched only once a mark is asked for (the worker with WORKER_WAIT_REPLICAS), and no more
  // after close(): the client is the caller's, shared by other users.
  let disruptions = 0;
  let watching: (() => void) | null = null;
  const lost = () => void (disruptions += 1);
  const watchConnections = () => {
    if (watching) return;
    if (!isCluster(redis)) {
      redis.on("close", lost);
      watching = () => redis.off("close", lost);
      return;
    }
    const watched = new Set<RedisClient>();
    const watch = (n: RedisClient) => {
      if (watched.has(n)) return;
      watched.add(n);
      n.on("close", lost);
    };
    for (const n of redis.nodes("all")) watch(n);
    redis.on("+node", watch);
    redis.on("-node", lost);
    watching = () => {
      redis.off("+node", watch);
      redis.off("-node", lost);
      for (const n of watched) n.off("close", lost);
    };
  };

  /** Replicas connected to each master, as ROLE last said (read again every few seconds, and after a WAIT fell short). */
  const replicaCounts = new WeakMap<object, { connected: number; at: number }>();
  const connectedReplicas = async (n: RedisClient): Promise<number> => {
    const known = replicaCounts.get(n);
    if (known && Date.now() - known.at < REPLICA_COUNT_TTL_MS) return known.connected;
    const role = (await n.call("ROLE")) as [string, unknown, unknown[]?];
    const connected = role[0] === "master" ? (role[2]?.length ?? 0) : 0;
    replicaCounts.set(n, { connected, at: Date.now() });
    return connected;
  };

  // Runs a mutation script on the game's fixed keys (+ extraKeys); a refusal throws, OK comes back as the reply.
  const runMutation = async (name: ScriptName, ref: GameRef, extraKeys: string[], args: string[]): Promise<ScriptReply> => {
    const scriptKeys = [...keys.gameScriptKeys(ref.gameType, ref.id), ...extraKeys];
    const reply = (await guarded(() => run(name, scriptKeys, args))) as ScriptReply;
    if (reply[0] !== ScriptCode.OK) throw scriptError(reply[0], ref.id, detailOf(reply));
    return reply;
  };
  const mutate = async (name: ScriptName, ref: GameRef, extraKeys: string[], args: string[], kind: ChangeKind) =>
    changeOf(await runMutation(name, ref, extraKeys, args), kind);

  const indexesOf = (game: GameRecord): GameIndexes => ({
    visibility: keys.visibilityIndex(game.gameType, game.visibility),
    region: game.region === null ? null : keys.regionIndex(game.gameType, game.region),
    labels: labelIndexes(keys, game.gameType, kinds(game.gameType), game.labels),
    quickJoin: [keys.quickJoinIndex(game.gameType, null), ...(game.region === null ? [] : [keys.quickJoinIndex(game.gameType, game.region)])],
    codes: keys.joinCodes(game.gameType),
    waiting: game.hostConnected ? null : keys.waitingIndex(game.gameType),
    tombstone: keys.tombstone(game.gameType, game.id),
  });

  const list = createRedisList({ keys, run, catalog, budget: searchBudget(DEFAULT_REDIS_SEARCH_BUDGET, options.searchBudget) });

  // The static indexes of a new game in KEYS order, and the create-style ARGV tail for them.
  const newGameArgs = (game: GameRecord) => {
    const ix = indexesOf(game);
    const statics = [{ key: ix.visibility, score: "" }, ...(ix.region ? [{ key: ix.region, score: "" }] : []), ...ix.labels];
    return { keys: statics.map((s) => s.key), scores: statics.map((s) => s.score), fields: encodeGame(game, ix) };
  };

  return {
    ...createRedisMatchmaking({ redis, keys, run, catalog, timeoutsJson, runMutation, newGameArgs }),
    ...createRedisParties({ redis, keys, run }),
    ...createRedisTickets({ redis, keys, run, timeoutsJson, newGameArgs }),

    async create(game, opts) {
      const n = newGameArgs(game);
      const args = [
        String(game.createdAt),
        String(freeSeats(game)),
        timeoutsJson(game.gameType),
        game.id,
        game.joinCode ?? "",
        String(capArg(opts?.maxLiveCreated)),
        game.creatorId,
        ...n.scores,
        ...n.fields,
      ];
      const extra = [keys.joinCodes(game.gameType), keys.createdBy(game.gameType, game.creatorId), ...n.keys];
      return mutate("create", game, extra, args, ChangeKind.CREATED);
    },

    async get(ref) {
      const flat = await guarded(() => redis.call("HGETALL", keys.game(ref.gameType, ref.id)));
      return Array.isArray(flat) && flat.length > 0 ? decodeGame(flat as string[]) : null;
    },

    async join(cmd) {
      const { player, joinCode } = cmd;
      const guard = partyGuardArgs(keys, cmd.ref.gameType, cmd.partyGuard);
      const args = [
        partyArg([player, ...(cmd.party ?? [])]),
        joinCode === null ? "0" : "1",
        joinCode ?? "",
        JSON.stringify(cmd.joinable),
        JSON.stringify(cmd.seatsFilled),
        String(cmd.now),
        timeoutsJson(cmd.ref.gameType),
        guard.version,
      ];
      return mutate("join", cmd.ref, [guard.key], args, ChangeKind.UPDATED);
    },

    async leave(cmd) {
      const migrate = cmd.hostLeaves === HostLeaves.MIGRATE ? "1" : "0";
      const args = [cmd.playerId, JSON.stringify(cmd.seatFreed), String(cmd.now), timeoutsJson(cmd.ref.gameType), migrate];
      // A removed game comes back as its last state, still naming the leaver as creator;
      // a migrated one names its new creator.
      const change = await mutate("leave", cmd.ref, [], args, ChangeKind.UPDATED);
      const deleted = cmd.playerId === change.game.creatorId;
      return deleted ? { ...change, kind: ChangeKind.DELETED } : change;
    },

    async update(cmd) {
      const { ref, patch, actor } = cmd;
      const extra: string[] = [keys.joinCodes(ref.gameType)];
      if (patch.visibility !== undefined) extra.push(keys.visibilityIndex(ref.gameType, patch.visibility));
      let labels = "";
      if (patch.labels !== undefined) {
        // Index keys follow the fixed keys, the join-code hash and the visibility key, so their KEYS positions are known here.
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
      const reply = await runMutation("update", ref, extra, args);
      const change = changeOf(reply, ChangeKind.UPDATED);
      const previousVisibility = reply[3]?.[0] as Visibility | undefined;
      return previousVisibility === undefined ? change : { ...change, previousVisibility };
    },

    async delete(cmd) {
      const mustBeCreator = cmd.actor !== null && !cmd.actor.admin;
      const args = [mustBeCreator ? "1" : "0", cmd.actor?.id ?? "", String(cmd.now)];
      return mutate("delete", cmd.ref, [], args, ChangeKind.DELETED);
    },

    list,

    ...createRedisLifecycle({ redis, keys, run, kinds, timeoutsJson, eventDedupeMs }),
    ...createRedisOutbox({ redis, keys, run }),

    async countByState(gameType) {
      const counts = await guarded(() => Promise.all(ALL_STATES.map((s) => redis.zcard(keys.stateIndex(gameType, s)))));
      return Object.fromEntries(ALL_STATES.map((s, i) => [s, counts[i]!])) as Record<GameState, number>;
    },

    async ping() {
      if (closed) throw new MatchmakerError(ErrorCode.BACKEND_UNAVAILABLE, "The store is closed.");
      // On a cluster every master: ready means every shard answers, not a random one.
      await guarded(async () => {
        if (!isCluster(redis)) return void (await redis.ping());
        if (redis.status !== "ready") throw new Error("the Redis Cluster client is not ready");
        await Promise.all(redis.nodes("master").map((n) => n.ping()));
      });
    },

    replicationMark: () => {
      watchConnections();
      return disruptions;
    },

    async replicated(replicas: number, timeoutMs: number, mark: number) {
      if (replicas <= 0) return true;
      if (disruptions !== mark) return false;
      // WAIT counts the writes of the connection it is sent on: each master's own connection,
      // the one the scripts went over. A master this client wrote nothing to answers at once.
      // A master this client is not connected to (a dead one, until the slots are refreshed)
      // took none of the batch's writes: its scripts would have failed.
      const masters = isCluster(redis) ? redis.nodes("master").filter((n) => n.status === "ready") : [redis];
      // Within the command timeout, so a WAIT that runs out answers instead of timing out.
      const limit = commandTimeoutOf(redis);
      const waitMs = Math.max(1, Math.floor(limit === undefined ? timeoutMs : Math.min(timeoutMs, limit * 0.8)));
      const reached = await guarded(() =>
        Promise.all(
          masters.map(async (n) => {
            // A master with fewer replicas than asked — one just promoted by a failover, its old
            // master gone — is held to the ones it has, or the worker would stop (or wait out
            // every timeout) until an operator brings a replica back.
            const want = Math.min(replicas, await connectedReplicas(n));
            if (want === 0) return true;
            const acked = (await n.call("WAIT", want, waitMs)) as number;
            if (acked < want) replicaCounts.delete(n);
            return acked >= want;
          }),
        ),
      );
      return reached.every(Boolean) && disruptions === mark;
    },

    async close() {
      closed = true;
      watching?.();
      watching = null;
    },
  };
}
