import type { Logger } from "pino";
import type { ChangeBus } from "../bus/change-bus.js";
import { ErrorCode, MatchmakerError, badInput } from "../domain/errors.js";
import { DEFAULT_SORT, type GameFilter, type GameSort, normalizeFilter } from "../domain/filter.js";
import {
  type Actor,
  ChangeKind,
  type GameChangeRecord,
  type GameRecord,
  GameState,
  Visibility,
} from "../domain/game.js";
import type { Catalog, GameTypeDef } from "../domain/game-type.js";
import { newGameId, newJoinCode, parseGameId } from "../domain/ids.js";
import { normalizeLabels } from "../domain/labels.js";
import { decodeCursor, type Page } from "../domain/paging.js";
import { GameEvent, transitionTable } from "../domain/state-machine.js";
import type { GameRef, GameStore, UpdatePatch } from "../store/game-store.js";
import { watchChanges, type WatchParams } from "./watch.js";

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

export interface GameServiceDeps {
  store: GameStore;
  bus: ChangeBus;
  catalog: Catalog;
  /** Returns settings with defaults applied; throws BAD_USER_INPUT. */
  validateSettings: (type: GameTypeDef, input: unknown) => Record<string, unknown>;
  logger: Logger;
  now?: () => number;
}

export const MAX_PAGE_SIZE = 100;
const NO_SEATS = { freeSeats: 0 };

/**
 * The one path through which every change to a game goes, whichever door it came in by
 * (API now, the stream worker later): validate, apply atomically in the store, then
 * publish exactly the change the store reports.
 */
export function createGameService(deps: GameServiceDeps) {
  const { store, bus, catalog, logger } = deps;
  const now = deps.now ?? Date.now;

  const gameType = (id: string): GameTypeDef => {
    const t = catalog.get(id);
    if (!t) {
      throw new MatchmakerError(
        ErrorCode.UNKNOWN_GAME_TYPE,
        `Unknown game type "${id}". Known types: ${catalog.types.map((x) => x.id).join(", ")}.`,
      );
    }
    return t;
  };

  /** Malformed ids are BAD_USER_INPUT; well-formed ids of unknown types simply do not exist. */
  const ref = (id: string): GameRef => {
    const r = parseGameId(id);
    if (!catalog.get(r.gameType)) throw new MatchmakerError(ErrorCode.GAME_NOT_FOUND, `Game "${id}" does not exist.`);
    return r;
  };

  async function publish(change: GameChangeRecord): Promise<GameChangeRecord> {
    try {
      await bus.publish(change);
    } catch (err) {
      // The change is stored; watchers resync by comparing versions, so a lost message is not fatal.
      logger.error({ err, gameId: change.gameId, version: change.version }, "publishing a game change failed");
    }
    return change;
  }

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
      return store.list({
        filter,
        sort: p.sort ?? DEFAULT_SORT,
        first,
        after: p.after ? decodeCursor(p.after) : null,
      });
    },

    async createGame(actor: Actor, p: CreateGameParams): Promise<GameChangeRecord> {
      const type = gameType(p.gameType);
      const visibility = p.visibility ?? Visibility.PUBLIC;
      const t = now();
      const game: GameRecord = {
        id: newGameId(type.id),
        gameType: type.id,
        state: GameState.CREATED,
        creatorId: actor.id,
        players: [{ id: actor.id, name: actor.name, joinedAt: t, confirmed: true }],
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
      };
      return publish(await store.create(game));
    },

    async joinGame(actor: Actor, id: string, joinCode: string | null | undefined): Promise<GameChangeRecord> {
      const r = ref(id);
      const t = now();
      const change = await store.join({
        ref: r,
        player: { id: actor.id, name: actor.name, joinedAt: t, confirmed: false },
        joinCode: joinCode ?? null,
        joinable: transitionTable(GameEvent.PLAYER_JOINING, { freeSeats: 1 }),
        seatsFilled: transitionTable(GameEvent.SEATS_FILLED, NO_SEATS),
        now: t,
      });
      return publish(change);
    },

    /** The creator leaving removes the game (the change is then DELETED). */
    async leaveGame(actor: Actor, id: string): Promise<GameChangeRecord> {
      const change = await store.leave({
        ref: ref(id),
        playerId: actor.id,
        seatFreed: transitionTable(GameEvent.SEAT_FREED, { freeSeats: 1 }),
        now: now(),
      });
      return publish(change);
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
      const change = await store.update({
        ref: r,
        actor,
        patch,
        expectedVersion: p.expectedVersion ?? null,
        now: now(),
      });
      return publish(change);
    },

    /** Live changes for gameChanged; see watchChanges. */
    watch: (p: WatchParams) => watchChanges(bus, catalog, p),

    async deleteGame(actor: Actor, id: string): Promise<GameChangeRecord> {
      return publish(await store.delete({ ref: ref(id), actor, now: now() }));
    },
  };
}

export type GameService = ReturnType<typeof createGameService>;
