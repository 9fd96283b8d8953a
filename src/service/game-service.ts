import { badInput, ErrorCode, MatchmakerError } from "../domain/errors.js";
import { LIMITS } from "../domain/limits.js";
import { DEFAULT_SORT, type GameFilter, type GameSort, normalizeFilter } from "../domain/filter.js";
import { type Actor, ChangeKind, type GameChangeRecord, type GameRecord, newGameRecord, Visibility } from "../domain/game.js";
import type { GameTypeDef } from "../domain/game-type.js";
import { newGameId, parseGameId } from "../domain/ids.js";
import { normalizeLabels } from "../domain/labels.js";
import { decodeCursor, type Page } from "../domain/paging.js";
import type { UpdatePatch } from "../store/game-store.js";
import { isJoinCodeTaken } from "../store/store-errors.js";
import { createLifecycleOps } from "./game-lifecycle.js";
import { createJoinOps } from "./join-ops.js";
import { createQuickJoinOps } from "./quick-join-ops.js";
import { createPartyOps } from "./party-ops.js";
import { createQueueMatcher, type QueueMatcher } from "./ticket-matcher.js";
import { createTicketOps } from "./ticket-ops.js";
import { createReportOps } from "./report-events.js";
import { createSeating, SEAT_FREED } from "./seating.js";
import { createServiceContext, type GameServiceDeps } from "./service-context.js";
import { validateCapacity, validateRegion } from "./validation.js";
import { watchChanges, type WatchParams } from "./watch.js";

export type { GameServiceDeps } from "./service-context.js";
export type { QuickJoinParams } from "./quick-join-ops.js";

export interface CreateGameParams {
  gameType: string;
  settings?: unknown;
  labels?: unknown;
  visibility?: Visibility | null;
  region?: string | null;
  /** Seats including the creator; defaults to the type's maxPlayers. */
  capacity?: number | null;
}

export interface UpdateGameParams {
  settings?: unknown;
  labels?: unknown;
  visibility?: Visibility | null;
  /** Optimistic concurrency: apply only if the game is still at this version. */
  expectedVersion?: number | null;
}

export interface ListGamesParams {
  filter?: GameFilter | null;
  sort?: GameSort | null;
  first?: number | null;
  after?: string | null;
}

export const MAX_PAGE_SIZE = LIMITS.pageSize;
const backendDown = (err: unknown) => err instanceof MatchmakerError && err.code === ErrorCode.BACKEND_UNAVAILABLE;
const unavailable = (err: unknown) => err instanceof MatchmakerError && err.code === ErrorCode.GAME_SERVER_UNAVAILABLE;

/**
 * The one path through which every change to a game goes, whichever door it came in by
 * (API, stream worker, expiry sweeper): validate, call the game server where the
 * contract says so, apply atomically in the store, then publish exactly the change the
 * store reports. Nothing is left half-done: a failed step undoes the steps before it.
 */
export function createGameService(deps: GameServiceDeps) {
  const ctx = createServiceContext(deps);
  const { store, catalog, gameServers, now, gameType, ref, publish, bestEffort } = ctx;
  const seating = createSeating(ctx);
  const parties = createPartyOps(ctx);
  const tickets = createTicketOps(ctx, parties);
  // How long a join waits for a game another request is still creating on its game server.
  const creationWaitMs = deps.creationWaitMs ?? 10_000;

  /** Stores a new game; a private one's code is drawn again if another game took it meanwhile. */
  async function storeNew(game: GameRecord, maxLiveCreated: number): Promise<GameChangeRecord> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await store.create(game, { maxLiveCreated });
      } catch (err) {
        if (!isJoinCodeTaken(err) || attempt >= 5) throw err;
        game.joinCode = await seating.freshJoinCode();
      }
    }
  }

  return {
    catalog,
    drain: ctx.drain,
    ...createLifecycleOps(ctx),
    ...createReportOps(ctx),
    ...createJoinOps(ctx, seating, parties, creationWaitMs),
    ...createQuickJoinOps(ctx, seating, parties, creationWaitMs),
    ...tickets,
    /** The service's clock (epoch ms), for answers that depend on it (a ticket's wait and window). */
    now,
    /** One matcher per ticket queue of the catalog (the worker ticks them; see ticket-matcher.ts). Never throws. */
    queueMatchers(): QueueMatcher[] {
      return catalog.types.flatMap((type) => (type.queues ?? []).map((q) => createQueueMatcher(ctx, seating, tickets, type, q)));
    },
    createParty: parties.createParty,
    getParty: parties.getParty,
    joinParty: parties.joinParty,
    leaveParty: parties.leaveParty,
    watchParty: parties.watchParty,

    gameTypes: (): readonly GameTypeDef[] => catalog.types,
    gameType: (id: string): GameTypeDef | undefined => catalog.get(id),

    /** null when the game does not exist; BAD_USER_INPUT for a malformed id. */
    async getGame(id: string): Promise<GameRecord | null> {
      const r = parseGameId(id);
      if (!catalog.get(r.gameType)) return null;
      return store.get(r);
    },

    async listGames(actor: Actor | null, p: ListGamesParams): Promise<Page> {
      const filter = normalizeFilter(p.filter ?? undefined, catalog.types, gameType);
      if (filter.visibility === Visibility.PRIVATE && !actor?.admin) {
        throw new MatchmakerError(ErrorCode.FORBIDDEN, "Only admins may list private games; join them by id and code.");
      }
      const first = p.first ?? 20;
      if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
        throw badInput(`first must be a whole number from 0 to ${MAX_PAGE_SIZE}.`);
      }
      return store.list({ filter, sort: p.sort ?? DEFAULT_SORT, first, after: p.after ? decodeCursor(p.after) : null });
    },

    /** Validates everything first, then asks the game server (if any) for the game, then stores it. */
    async createGame(actor: Actor, p: CreateGameParams): Promise<GameChangeRecord> {
      const type = gameType(p.gameType);
      const visibility = p.visibility ?? Visibility.PUBLIC;
      const t = now();
      const game = newGameRecord(newGameId(type.id), {
        gameType: type.id,
        creatorId: actor.id,
        players: [{ id: actor.id, name: actor.name, joinedAt: t, confirmed: true, reservedUntil: null }],
        capacity: validateCapacity(type, p.capacity),
        visibility,
        region: validateRegion(type, p.region),
        settings: deps.validateSettings(type, p.settings),
        labels: normalizeLabels(p.labels, type),
        hosted: gameServers.hasServer(type),
        now: t,
      });
      // Drawn once the input is known to be valid: checking a code is a store round trip.
      if (visibility === Visibility.PRIVATE) game.joinCode = await seating.freshJoinCode();
      if (gameServers.hasServer(type)) {
        try {
          game.serverToken = (await gameServers.createGame(type, game.id, actor.id, actor.name)).gameToken;
        } catch (err) {
          // A timeout may hide a game the server did create: remove it, so nothing is left behind.
          if (unavailable(err)) await ctx.removeGameLater(type, game.id);
          throw err;
        }
      }
      try {
        return await publish(await storeNew(game, ctx.liveGamesCap(actor)));
      } catch (err) {
        // Storage unreachable: the write may have happened with only the answer lost.
        if (backendDown(err)) {
          const stored = await store.get({ gameType: type.id, id: game.id }).catch(() => undefined);
          if (stored) return publish({ kind: ChangeKind.CREATED, gameId: game.id, gameType: type.id, version: stored.version, previousState: null, game: stored });
          if (stored === undefined) throw err; // still unknown: leave the server game to its own expiry
        }
        // No server game may outlive a game we failed to store (the player is not kept waiting for it).
        await ctx.removeGameLater(type, game.id);
        throw err;
      }
    },

    /**
     * Frees the caller's seat (remove_player). The creator leaving removes the game
     * (DELETED; remove_game), or with the type's hostLeaves `migrate` hands it to the
     * longest-seated remaining player (UPDATED; remove_player for the one who left).
     */
    async leaveGame(actor: Actor, id: string): Promise<GameChangeRecord> {
      const r = ref(id);
      const type = gameType(r.gameType);
      const cmd = { ref: r, playerId: actor.id, seatFreed: SEAT_FREED, hostLeaves: type.hostLeaves, now: now() };
      const change = await publish(await store.leave(cmd));
      if (change.kind === ChangeKind.DELETED) await bestEffort(type, { call: "remove_game", gameId: id, playerId: null });
      else await bestEffort(type, { call: "remove_player", gameId: id, playerId: actor.id });
      return change;
    },

    async updateGame(actor: Actor, id: string, p: UpdateGameParams): Promise<GameChangeRecord> {
      const r = ref(id);
      const type = gameType(r.gameType);
      const patch: UpdatePatch = {};
      if (p.settings !== undefined && p.settings !== null) patch.settings = deps.validateSettings(type, p.settings);
      if (p.labels !== undefined && p.labels !== null) patch.labels = normalizeLabels(p.labels, type);
      if (p.visibility) patch.visibility = p.visibility;
      if (Object.keys(patch).length === 0) throw badInput("Nothing to update: give settings, labels or visibility.");
      const write = (joinCode?: string | null) =>
        store.update({ ref: r, actor, patch: { ...patch, ...(joinCode !== undefined ? { joinCode } : {}) }, expectedVersion: p.expectedVersion ?? null, now: now() });
      // A fresh code on every switch to private, so an old code stops working; none while public.
      if (p.visibility === Visibility.PRIVATE) return publish(await seating.withFreshCode(write));
      return publish(await write(p.visibility ? null : undefined));
    },

    async deleteGame(actor: Actor, id: string): Promise<GameChangeRecord> {
      const r = ref(id);
      const type = gameType(r.gameType);
      const change = await publish(await store.delete({ ref: r, actor, now: now() }));
      await bestEffort(type, { call: "remove_game", gameId: id, playerId: null });
      return change;
    },

    /** Live changes for gameChanged; see watchChanges. */
    watch: (p: WatchParams) => watchChanges(ctx.bus, catalog, p),

    /** A mark for changesReplicated, taken before the changes to wait for. */
    replicationMark: () => store.replicationMark(),
    /** Whether the changes made since `mark` have reached `replicas` replicas (see GameStore.replicated). */
    changesReplicated: (replicas: number, timeoutMs: number, mark: number) => store.replicated(replicas, timeoutMs, mark),
  };
}

export type GameService = ReturnType<typeof createGameService>;
