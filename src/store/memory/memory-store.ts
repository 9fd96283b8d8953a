import { ErrorCode, MatchmakerError, gameNotFound } from "../../domain/errors.js";
import type { Page } from "../../domain/paging.js";
import { type Catalog, HostLeaves } from "../../domain/game-type.js";
import {
  ALL_STATES,
  ChangeKind,
  freeSeats,
  type GameChangeRecord,
  type GameRecord,
  GameState,
  isPlayer,
  Visibility,
} from "../../domain/game.js";
import { compareEntryIds } from "../../domain/entry-ids.js";
import { CREATED_GAMES_TRACKED_MS, DEFAULT_EVENT_DEDUPE_MS, deadlineOf, expiryAt, GAME_TOMBSTONE_MS, timeoutsMs } from "../deadlines.js";
import { storeErrors } from "../store-errors.js";
import type {
  DeleteCommand,
  EventCommand,
  EventOutcome,
  ExpireOutcome,
  GameRef,
  GameStore,
  HostTables,
  JoinCommand,
  LeaveCommand,
  ListQuery,
  UpdateCommand,
} from "../game-store.js";
import { EventHeldError } from "../game-store.js";
import { cloneRecord } from "./clone.js";
import { DeadlineIndex } from "./deadline-index.js";
import { applyEffect, freeSeatsOf } from "./event-effects.js";
import { ExpiringKeys } from "./expiring-keys.js";
import { DEFAULT_MEMORY_SEARCH_BUDGET, type SearchBudget, searchBudget } from "../search-budget.js";
import { SearchIndex } from "./search-index.js";
import { createMemoryMatchmaking, seat, seatAll } from "./matchmaking.js";
import { createMemoryOutbox } from "./outbox.js";
import { createMemoryParties } from "./parties.js";
import { createMemoryTickets } from "./tickets.js";

export interface MemoryStoreOptions {
  /** State timeouts per game type (a type it lacks gets no state timeout: expiresAt null). */
  catalog: Catalog;
  /** How long an applied event_id is remembered, on the commands' clock (default 24 h; ≤ 0: not at all). */
  eventDedupeMs?: number;
  /** Work limits of one `list` page (tests shrink them to exercise short pages). */
  searchBudget?: Partial<SearchBudget>;
}

/**
 * Embedded backend: one process, nothing persisted. Every method runs to completion
 * without awaiting in between, which is what makes each change atomic here.
 * Refusals reject with the same MatchmakerErrors as the Redis store.
 */
export function createMemoryStore({ catalog, eventDedupeMs = DEFAULT_EVENT_DEDUPE_MS, ...opts }: MemoryStoreOptions): GameStore {
  const games = new Map<string, GameRecord>();
  const parties = createMemoryParties();
  const search = new SearchIndex(catalog, games, searchBudget(DEFAULT_MEMORY_SEARCH_BUDGET, opts.searchBudget));
  const codes = new Map<string, GameRef>();
  const deadlines = new DeadlineIndex();
  const eventIds = new ExpiringKeys(eventDedupeMs);
  const tombstones = new ExpiringKeys(GAME_TOMBSTONE_MS);
  /** Last stream entry applied per game (see EventCommand.entryId). */
  const lastEntry = new Map<string, string>();
  const streamSeen = new Set<string>();
  let closed = false;

  // What callers get is theirs: nothing they do to it reaches the stored record (nor the reverse).
  const copy = (g: GameRecord): GameRecord => cloneRecord(g);
  const change = (kind: ChangeKind, g: GameRecord, previousState: GameState | null): GameChangeRecord => ({
    kind,
    gameId: g.id,
    gameType: g.gameType,
    version: g.version,
    previousState,
    game: copy(g),
  });
  const bump = (g: GameRecord, now: number) => {
    g.version += 1;
    g.updatedAt = now;
  };
  // Every change and event counts as activity: the state timeout restarts and the index follows.
  const touch = (g: GameRecord, now: number) => {
    g.lastActivityAt = now;
    g.expiresAt = expiryAt(timeoutsMs(catalog, g.gameType), g.state, now);
    deadlines.set(g.gameType, g.id, deadlineOf(g));
    search.sync(g);
  };
  const releaseCode = (g: GameRecord) => {
    if (g.joinCode !== null && codes.get(g.joinCode)?.id === g.id) codes.delete(g.joinCode);
  };
  const codeTaken = (code: string | null, id: string) => code !== null && codes.has(code) && codes.get(code)!.id !== id;
  /**
   * Ids of the games each player created, per type (`type` NUL `player`), as in Redis: a game
   * counts for its creator until it ends or is deleted (also once handed to another player),
   * pruned as they are counted, forgotten CREATED_GAMES_TRACKED_MS after last counted with any live.
   */
  const createdBy = new Map<string, { ids: Set<string>; countedAt: number }>();
  const createdByGame = new Map<string, string>();
  const liveCreated = (key: string, now: number): number => {
    const entry = createdBy.get(key);
    if (!entry) return 0;
    if (now - entry.countedAt > CREATED_GAMES_TRACKED_MS) {
      createdBy.delete(key);
      return 0;
    }
    for (const id of entry.ids) {
      const g = games.get(id);
      if (!g || g.state === GameState.ENDED) entry.ids.delete(id);
    }
    if (entry.ids.size === 0) createdBy.delete(key);
    else entry.countedAt = now;
    return entry.ids.size;
  };
  // So the map holds live games only, however many players ever created one.
  const forgetCreated = (g: GameRecord) => {
    const key = createdByGame.get(g.id);
    if (key === undefined) return;
    createdByGame.delete(g.id);
    const entry = createdBy.get(key);
    if (entry?.ids.delete(g.id) && entry.ids.size === 0) createdBy.delete(key);
  };

  // Deletions happen at the commands' clock; the tombstone uses it too.
  const remove = (g: GameRecord, now: number) => {
    forgetCreated(g);
    tombstones.remember(g.gameType, g.id, now);
    lastEntry.delete(g.id);
    games.delete(g.id);
    deadlines.delete(g.gameType, g.id);
    search.drop(g);
    releaseCode(g);
  };
  const find = (ref: GameRef): GameRecord | undefined => {
    const g = games.get(ref.id);
    return g && g.gameType === ref.gameType ? g : undefined;
  };
  const load = (ref: GameRef): GameRecord => {
    const g = find(ref);
    if (!g) throw gameNotFound(ref.id);
    return g;
  };

  const insert = (game: GameRecord, maxLiveCreated = 0): GameRecord => {
    if (games.has(game.id)) throw new MatchmakerError(ErrorCode.INTERNAL_SERVER_ERROR, "Game id collision; retry.");
    if (codeTaken(game.joinCode, game.id)) throw storeErrors.joinCodeTaken();
    const creatorKey = `${game.gameType}\u0000${game.creatorId}`;
    if (maxLiveCreated > 0) {
      if (liveCreated(creatorKey, game.createdAt) >= maxLiveCreated) throw storeErrors.tooManyGames(maxLiveCreated);
      const entry = createdBy.get(creatorKey) ?? { ids: new Set<string>(), countedAt: game.createdAt };
      entry.ids.add(game.id);
      entry.countedAt = game.createdAt;
      createdBy.set(creatorKey, entry);
      createdByGame.set(game.id, creatorKey);
    }
    const g = copy({ ...game, version: 1, players: game.players.map(seat) });
    games.set(g.id, g);
    if (g.joinCode !== null) codes.set(g.joinCode, { gameType: g.gameType, id: g.id });
    touch(g, g.createdAt);
    return g;
  };

  /** applyEvent, throwing synchronously (applyEvents tells a failure at once from it). */
  function applyEventNow(cmd: EventCommand): EventOutcome {
    const { ref, eventId, entryId, now } = cmd;
    const g = find(ref);
    if (!g) {
      if (tombstones.seen(ref.gameType, ref.id, now)) return { status: "gone" };
      throw gameNotFound(ref.id);
    }
    const last = lastEntry.get(g.id);
    if (entryId !== null && last !== undefined && compareEntryIds(entryId, last) <= 0) {
      // The last applied entry again: its worker may have died before publishing (events-n.lua likewise).
      return entryId === last ? { status: "replayed", change: change(ChangeKind.UPDATED, g, g.state) } : { status: "duplicate" };
    }
    if (eventId !== null && eventIds.seen(ref.gameType, eventId, now)) return { status: "duplicate" };
    const previous = g.state;
    // Throws before anything is written (the event id included) when the move is illegal.
    const changed = applyEffect(g, cmd.effect, now);
    if (eventId !== null) eventIds.remember(ref.gameType, eventId, now);
    if (entryId !== null) lastEntry.set(g.id, entryId);
    if (changed) bump(g, now);
    touch(g, now);
    return changed ? { status: "applied", change: change(ChangeKind.UPDATED, g, previous) } : { status: "unchanged" };
  }

  return {
    ...createMemoryOutbox(),
    ...createMemoryTickets(
      (game) => (games.has(game.id) ? null : change(ChangeKind.CREATED, insert(game), null)),
      // join's checks and seating, for a ticket backfilled into an open public game (twin of ticket-backfill-n.lua).
      (cmd) => {
        const g = load({ gameType: cmd.gameType, id: cmd.gameId });
        if (g.visibility !== Visibility.PUBLIC) throw storeErrors.notJoinable(g.id, g.state);
        if (cmd.players.some((p) => isPlayer(g, p.id))) throw storeErrors.alreadyJoined(g.id);
        if (freeSeats(g) < cmd.players.length) throw storeErrors.full(g.id);
        if (!cmd.joinable[g.state]) throw storeErrors.notJoinable(g.id, g.state);
        const previous = g.state;
        seatAll(g, cmd.players, cmd.seatsFilled);
        bump(g, cmd.now);
        touch(g, cmd.now);
        return change(ChangeKind.UPDATED, g, previous);
      },
    ),
    ...createMemoryMatchmaking({ games, codes, find, load, insert, bump, touch, change, parties, labelKinds: (t) => catalog.get(t)?.labels ?? {} }),
    ...parties.store,

    async create(game, opts) {
      return change(ChangeKind.CREATED, insert(game, opts?.maxLiveCreated), null);
    },

    async get(ref) {
      const g = find(ref);
      return g ? copy(g) : null;
    },

    async join(cmd: JoinCommand) {
      const g = load(cmd.ref);
      const previous = g.state;
      if (g.joinCode !== null && cmd.joinCode !== g.joinCode) throw storeErrors.wrongJoinCode();
      parties.check(cmd.partyGuard, cmd.now);
      const seats = [cmd.player, ...(cmd.party ?? [])];
      if (seats.some((p) => isPlayer(g, p.id))) throw storeErrors.alreadyJoined(g.id);
      if (freeSeats(g) < seats.length) throw storeErrors.full(g.id);
      if (!cmd.joinable[g.state]) throw storeErrors.notJoinable(g.id, g.state);
      seatAll(g, seats, cmd.seatsFilled);
      bump(g, cmd.now);
      touch(g, cmd.now);
      parties.seated(cmd.partyGuard, g.id, cmd.now);
      return change(ChangeKind.UPDATED, g, previous);
    },

    async leave(cmd: LeaveCommand) {
      const g = load(cmd.ref);
      const previous = g.state;
      if (!isPlayer(g, cmd.playerId)) throw storeErrors.notAPlayer(g.id);
      bump(g, cmd.now);
      // Seating order is join order: the first remaining confirmed player has waited longest;
      // an unconfirmed one may never show up (and the creator's seat never expires).
      const heir = g.players.find((p) => p.id !== cmd.playerId && p.confirmed);
      // No hand-over while the host has not reached the game server (leave-8.lua likewise).
      const migrate = cmd.hostLeaves === HostLeaves.MIGRATE && heir !== undefined && g.hostConnected;
      if (cmd.playerId === g.creatorId && !migrate) {
        remove(g, cmd.now);
        return change(ChangeKind.DELETED, g, previous);
      }
      freeSeatsOf(g, [cmd.playerId], cmd.seatFreed);
      if (cmd.playerId === g.creatorId) g.creatorId = heir!.id;
      touch(g, cmd.now);
      return change(ChangeKind.UPDATED, g, previous);
    },

    async update(cmd: UpdateCommand) {
      const g = load(cmd.ref);
      const previous = g.state;
      if (!cmd.actor.admin && cmd.actor.id !== g.creatorId) throw storeErrors.notCreator(g.id);
      if (cmd.expectedVersion !== null && cmd.expectedVersion !== g.version) {
        throw storeErrors.versionConflict(g.id, g.version);
      }
      const p = cmd.patch;
      if (p.joinCode !== undefined && codeTaken(p.joinCode, g.id)) throw storeErrors.joinCodeTaken();
      const previousVisibility = g.visibility;
      if (p.settings !== undefined) g.settings = structuredClone(p.settings);
      if (p.labels !== undefined) g.labels = { ...p.labels };
      if (p.visibility !== undefined) g.visibility = p.visibility;
      if (p.joinCode !== undefined) {
        releaseCode(g);
        g.joinCode = p.joinCode;
        if (p.joinCode !== null) codes.set(p.joinCode, { gameType: g.gameType, id: g.id });
      }
      bump(g, cmd.now);
      touch(g, cmd.now);
      const c = change(ChangeKind.UPDATED, g, previous);
      return p.visibility !== undefined && p.visibility !== previousVisibility ? { ...c, previousVisibility } : c;
    },

    async delete(cmd: DeleteCommand) {
      const g = load(cmd.ref);
      const previous = g.state;
      if (cmd.actor && !cmd.actor.admin && cmd.actor.id !== g.creatorId) throw storeErrors.notCreator(g.id);
      remove(g, cmd.now);
      bump(g, cmd.now);
      return change(ChangeKind.DELETED, g, previous);
    },

    async list(q: ListQuery): Promise<Page> {
      const page = search.list(q);
      return { ...page, items: page.items.map((it) => ({ game: copy(it.game), cursor: it.cursor })) };
    },

    applyEvent: async (cmd: EventCommand) => applyEventNow(cmd),

    applyEvents(cmds: readonly EventCommand[]) {
      // A refusal (a MatchmakerError, thrown before any write) settles its event alone;
      // anything else holds the game's later events back, as events-n.lua does.
      const held = new Set<string>();
      return cmds.map((cmd): Promise<EventOutcome> => {
        if (held.has(cmd.ref.id)) return Promise.reject(new EventHeldError(cmd.ref.id));
        try {
          return Promise.resolve(applyEventNow(cmd));
        } catch (err) {
          if (!(err instanceof MatchmakerError)) held.add(cmd.ref.id);
          return Promise.reject(err);
        }
      });
    },

    async recordActivity(gameType: string, ids: readonly string[], now: number) {
      return ids.map((id) => {
        const g = find({ gameType, id });
        if (g) touch(g, now);
        return g ? "recorded" : tombstones.seen(gameType, id, now) ? "gone" : "missing";
      });
    },

    async markStreamSeen(gameType: string) {
      streamSeen.add(gameType);
    },

    async streamSeen(gameType: string) {
      return streamSeen.has(gameType);
    },

    async dueGames(gameType: string, now: number, limit: number) {
      return deadlines.due(gameType, now, limit);
    },

    async expire(ref: GameRef, now: number, seatFreed: HostTables): Promise<ExpireOutcome | null> {
      const g = find(ref);
      if (!g) return null;
      const previous = g.state;
      // While the host is away nobody else can connect, so no reservation runs out.
      const freed = g.players
        .filter((p) => g.hostConnected && !p.confirmed && p.reservedUntil !== null && p.reservedUntil <= now && p.id !== g.creatorId)
        .map((p) => p.id);
      if (freed.length > 0) {
        freeSeatsOf(g, freed, seatFreed);
        bump(g, now);
        touch(g, now);
        return { change: change(ChangeKind.UPDATED, g, previous), freedPlayers: freed };
      }
      if (g.expiresAt === null || g.expiresAt > now) return null;
      remove(g, now);
      bump(g, now);
      return { change: change(ChangeKind.DELETED, g, previous), freedPlayers: [] };
    },

    async countByState(gameType) {
      const counts = Object.fromEntries(ALL_STATES.map((s) => [s, 0])) as Record<GameState, number>;
      for (const g of games.values()) if (g.gameType === gameType) counts[g.state] += 1;
      return counts;
    },

    async ping() {
      if (closed) throw new MatchmakerError(ErrorCode.BACKEND_UNAVAILABLE, "The store is closed.");
    },

    replicationMark: () => 0,

    async replicated() {
      return true;
    },

    async close() {
      closed = true;
    },
  };
}
