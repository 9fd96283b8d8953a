import { badInput, ErrorCode, MatchmakerError } from "../domain/errors.js";
import { DEFAULT_SORT, type GameFilter, type GameSort, normalizeFilter } from "../domain/filter.js";
import { type Actor, ChangeKind, type GameChangeRecord, type GameRecord, GameState, Visibility } from "../domain/game.js";
import type { GameTypeDef } from "../domain/game-type.js";
import { newGameId, newJoinCode, parseGameId } from "../domain/ids.js";
import { joinRefusal } from "../domain/join-rules.js";
import { normalizeLabels } from "../domain/labels.js";
import { decodeCursor, type Page } from "../domain/paging.js";
import { GameEvent, transitionTable } from "../domain/state-machine.js";
import type { UpdatePatch } from "../store/game-store.js";
import { createLifecycleOps } from "./game-lifecycle.js";
import { createReportOps } from "./report-events.js";
import { createServiceContext, type GameServiceDeps } from "./service-context.js";
import { watchChanges, type WatchParams } from "./watch.js";

export type { GameServiceDeps } from "./service-context.js";

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

export const MAX_PAGE_SIZE = 100;
const backendDown = (err: unknown) => err instanceof MatchmakerError && err.code === ErrorCode.BACKEND_UNAVAILABLE;
const unavailable = (err: unknown) => err instanceof MatchmakerError && err.code === ErrorCode.GAME_SERVER_UNAVAILABLE;
const JOINABLE = transitionTable(GameEvent.PLAYER_JOINING, { freeSeats: 1 });
const SEATS_FILLED = transitionTable(GameEvent.SEATS_FILLED, { freeSeats: 0 });
const SEAT_FREED = transitionTable(GameEvent.SEAT_FREED, { freeSeats: 1 });

/**
 * The one path through which every change to a game goes, whichever door it came in by
 * (API, stream worker, expiry sweeper): validate, call the game server where the
 * contract says so, apply atomically in the store, then publish exactly the change the
 * store reports. Nothing is left half-done: a failed step undoes the steps before it.
 */
export function createGameService(deps: GameServiceDeps) {
  const ctx = createServiceContext(deps);
  const { store, catalog, gameServers, now, gameType, ref, publish, bestEffort } = ctx;

  function validateRegion(type: GameTypeDef, region: string | null | undefined): string | null {
    if (region === null || region === undefined || region === "") return null;
    if (type.regions.length > 0 && !type.regions.includes(region)) {
      throw badInput(`Region "${region}" is not offered for "${type.id}" (choose one of: ${type.regions.join(", ")}).`);
    }
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(region)) throw badInput(`Region "${region.slice(0, 80)}" is not a valid region name.`);
    return region;
  }

  function validateCapacity(type: GameTypeDef, capacity: number | null | undefined): number {
    if (capacity === null || capacity === undefined) return type.maxPlayers;
    if (!Number.isInteger(capacity) || capacity < type.minPlayers || capacity > type.maxPlayers) {
      throw badInput(`capacity must be a whole number from ${type.minPlayers} to ${type.maxPlayers} for "${type.id}".`);
    }
    return capacity;
  }

  return {
    catalog,
    drain: ctx.drain,
    ...createLifecycleOps(ctx),
    ...createReportOps(ctx),

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
      const game: GameRecord = {
        id: newGameId(type.id),
        gameType: type.id,
        state: GameState.CREATED,
        creatorId: actor.id,
        players: [{ id: actor.id, name: actor.name, joinedAt: t, confirmed: true, reservedUntil: null }],
        capacity: validateCapacity(type, p.capacity),
        visibility,
        joinCode: visibility === Visibility.PRIVATE ? newJoinCode() : null,
        region: validateRegion(type, p.region),
        settings: deps.validateSettings(type, p.settings),
        labels: normalizeLabels(p.labels, type),
        result: null,
        serverToken: null,
        version: 1,
        createdAt: t,
        updatedAt: t,
        expiresAt: null,
        lastActivityAt: t,
      };
      if (gameServers.hasServer(type)) {
        try {
          game.serverToken = (await gameServers.createGame(type, game.id, actor.id, actor.name)).gameToken;
        } catch (err) {
          // A timeout may hide a game the server did create: remove it, so nothing is left behind.
          if (unavailable(err)) await ctx.removeGameEventually(type, game.id);
          throw err;
        }
      }
      try {
        return await publish(await store.create(game));
      } catch (err) {
        // Storage unreachable: the write may have happened with only the answer lost.
        if (backendDown(err)) {
          const stored = await store.get({ gameType: type.id, id: game.id }).catch(() => undefined);
          if (stored) return publish({ kind: ChangeKind.CREATED, gameId: game.id, gameType: type.id, version: stored.version, previousState: null, game: stored });
          if (stored === undefined) throw err; // still unknown: leave the server game to its own expiry
        }
        // No server game may outlive a game we failed to store.
        await bestEffort("remove_game", type, (c) => c.removeGame(type, game.id));
        throw err;
      }
    },

    /**
     * Seats the caller. With a game server, join_game is called first (after a cheap
     * check that the join can succeed at all) and undone with remove_player if the seat
     * is lost in the race; the seat stays reserved until the server confirms the player.
     */
    async joinGame(actor: Actor, id: string, joinCode: string | null | undefined): Promise<GameChangeRecord> {
      const r = ref(id);
      const type = gameType(r.gameType);
      const hosted = gameServers.hasServer(type);
      if (hosted) {
        const snapshot = await store.get(r);
        if (!snapshot) throw new MatchmakerError(ErrorCode.GAME_NOT_FOUND, `Game "${id}" does not exist.`);
        const refusal = joinRefusal(snapshot, actor.id, joinCode ?? null, JOINABLE);
        if (refusal) throw refusal;
        try {
          await gameServers.joinGame(type, id, actor.id, actor.name);
        } catch (err) {
          if (unavailable(err)) await bestEffort("remove_player", type, (c) => c.removePlayer(type, id, actor.id));
          throw err;
        }
      }
      const t = now();
      try {
        const change = await store.join({
          ref: r,
          player: {
            id: actor.id,
            name: actor.name,
            joinedAt: t,
            confirmed: !hosted,
            reservedUntil: hosted ? t + type.seatReservationSeconds * 1_000 : null,
          },
          joinCode: joinCode ?? null,
          joinable: JOINABLE,
          seatsFilled: SEATS_FILLED,
          now: t,
        });
        return await publish(change);
      } catch (err) {
        // ALREADY_JOINED: a concurrent request of the same player holds the seat; keep it on the server.
        const seatHeldElsewhere = err instanceof MatchmakerError && err.code === ErrorCode.ALREADY_JOINED;
        // BACKEND_UNAVAILABLE: the seat may have been taken; an unconfirmed one expires by itself.
        if (hosted && !seatHeldElsewhere && !backendDown(err)) {
          await bestEffort("remove_player", type, (c) => c.removePlayer(type, id, actor.id));
        }
        throw err;
      }
    },

    /** The creator leaving removes the game (DELETED; remove_game), anyone else frees a seat (remove_player). */
    async leaveGame(actor: Actor, id: string): Promise<GameChangeRecord> {
      const r = ref(id);
      const type = gameType(r.gameType);
      const change = await publish(await store.leave({ ref: r, playerId: actor.id, seatFreed: SEAT_FREED, now: now() }));
      if (change.kind === ChangeKind.DELETED) await bestEffort("remove_game", type, (c) => c.removeGame(type, id));
      else await bestEffort("remove_player", type, (c) => c.removePlayer(type, id, actor.id));
      return change;
    },

    async updateGame(actor: Actor, id: string, p: UpdateGameParams): Promise<GameChangeRecord> {
      const r = ref(id);
      const type = gameType(r.gameType);
      const patch: UpdatePatch = {};
      if (p.settings !== undefined && p.settings !== null) patch.settings = deps.validateSettings(type, p.settings);
      if (p.labels !== undefined && p.labels !== null) patch.labels = normalizeLabels(p.labels, type);
      if (p.visibility) {
        patch.visibility = p.visibility;
        // A fresh code on every switch to private, so an old code stops working; none while public.
        patch.joinCode = p.visibility === Visibility.PRIVATE ? newJoinCode() : null;
      }
      if (Object.keys(patch).length === 0) throw badInput("Nothing to update: give settings, labels or visibility.");
      const change = await store.update({ ref: r, actor, patch, expectedVersion: p.expectedVersion ?? null, now: now() });
      return publish(change);
    },

    async deleteGame(actor: Actor, id: string): Promise<GameChangeRecord> {
      const r = ref(id);
      const type = gameType(r.gameType);
      const change = await publish(await store.delete({ ref: r, actor, now: now() }));
      await bestEffort("remove_game", type, (c) => c.removeGame(type, id));
      return change;
    },

    /** Live changes for gameChanged; see watchChanges. */
    watch: (p: WatchParams) => watchChanges(ctx.bus, catalog, p),
  };
}

export type GameService = ReturnType<typeof createGameService>;
