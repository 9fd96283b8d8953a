import type { Actor, GameChangeRecord, GameRecord, GameState, PlayerRecord, Visibility, LabelValue } from "../domain/game.js";
import type { GameSort, NormalizedFilter } from "../domain/filter.js";
import type { Cursor, Page } from "../domain/paging.js";
import type { HostLeaves, QuickJoinPreference } from "../domain/game-type.js";
import type { HostTables, StateTable } from "../domain/state-machine.js";
import type { PartyRecord, PartyRef } from "../domain/party.js";
import type { TicketStore } from "./ticket-store.js";

export type { HostTables, StateTable } from "../domain/state-machine.js";

/**
 * A party seated by its leader: the seats are its members as read at `version`, so the store
 * seats them only while the party is still at that version (anyone joining or leaving since
 * refuses the seating, see isPartyChanged), and records the game as the party's `seatedIn`
 * (version + 1) in the same step. PARTY_NOT_FOUND when the party is gone.
 */
export interface PartyGuard {
  id: string;
  version: number;
}

/** Parties (see PartyRecord): written whole, compare-and-set on their version. */
export interface PartyStore {
  /** The party, or null when there is none (never made, left by everyone, or idle past PARTY_IDLE_MS at `now`). */
  getParty(ref: PartyRef, now: number): Promise<PartyRecord | null>;
  /**
   * Stores `party` when the stored one is still at `expectedVersion` (null: none may exist);
   * a VERSION_CONFLICT that isPartyChanged recognises otherwise (read again and retry).
   */
  putParty(party: PartyRecord, expectedVersion: number | null): Promise<void>;
  /** Removes the party when it is still at `expectedVersion`; isPartyChanged otherwise. */
  deleteParty(ref: PartyRef, expectedVersion: number): Promise<void>;
}

export interface GameRef {
  gameType: string;
  id: string;
}

export interface JoinCommand {
  ref: GameRef;
  player: PlayerRecord;
  /** Seated with `player`, all or none (ALREADY_JOINED if any of them sits in the game, GAME_FULL if not all fit). */
  party?: PlayerRecord[];
  /** When the seats are a party's members. */
  partyGuard?: PartyGuard | null;
  /** Required when the game is PRIVATE (compared by the store, atomically). */
  joinCode: string | null;
  /** Which states take a new player, and where filling the last seat leads. */
  joinable: StateTable;
  seatsFilled: StateTable;
  now: number;
}

export interface LeaveCommand {
  ref: GameRef;
  playerId: string;
  seatFreed: HostTables;
  /** What the creator leaving does (default close: the game is deleted). */
  hostLeaves?: HostLeaves;
  now: number;
}

export interface CreateOptions {
  /** Most live games one player may have created of the type (0 or absent: no cap). */
  maxLiveCreated?: number;
}

export interface QuickJoinCommand {
  gameType: string;
  /** When nothing fits: the cap on the caller's live games of the type, as for create (TOO_MANY_GAMES). */
  maxLiveCreated?: number;
  /** When the seats are a party's members. */
  partyGuard?: PartyGuard | null;
  /** The seats to take, the caller first; all or none. */
  players: PlayerRecord[];
  /** What a candidate must pass (from quickJoinFilter: PUBLIC, free seats ≥ party size, states, labels). */
  filter: NormalizedFilter;
  /** Only games of this region are candidates. */
  region: string | null;
  prefer: QuickJoinPreference;
  scanBudget: number;
  joinable: StateTable;
  seatsFilled: StateTable;
  /** Stored (version 1) when no candidate fits: PUBLIC, its creator and party seated, in `region`. */
  newGame: GameRecord;
  now: number;
}

export interface QuickJoinOutcome {
  /** UPDATED (seated in an existing game) or CREATED (newGame was stored). */
  change: GameChangeRecord;
  created: boolean;
}

export interface UpdatePatch {
  settings?: Record<string, unknown>;
  /** Replaces all labels. */
  labels?: Record<string, LabelValue>;
  visibility?: Visibility;
  joinCode?: string | null;
}

export interface UpdateCommand {
  ref: GameRef;
  /** Only the creator or an admin may update; checked by the store with the write. */
  actor: Actor;
  patch: UpdatePatch;
  /** When given, the update applies only if the game is still at this version (else VERSION_CONFLICT). */
  expectedVersion: number | null;
  now: number;
}

export interface DeleteCommand {
  ref: GameRef;
  /** null for the system (worker, expiry); otherwise creator or admin only. */
  actor: Actor | null;
  now: number;
}

export interface ListQuery {
  filter: NormalizedFilter;
  sort: GameSort;
  first: number;
  after: Cursor | null;
}

/** A control call a game server must still get; kept in the store until it answered. */
export interface ControlCall {
  gameType: string;
  call: "remove_game" | "remove_player";
  gameId: string;
  /** remove_player only. */
  playerId: string | null;
}

export interface PendingControlCall extends ControlCall {
  id: string;
  /** Attempts handed out so far, this one included. */
  attempts: number;
  /** When it was scheduled first (epoch ms). */
  since: number;
}

/**
 * The game-server outbox: control calls that must reach a game server even if the process
 * that decided them stops (a game the matchmaker could not create must be removed from the
 * server again). Any worker drains it; calls are safe to repeat (remove_*).
 */
export interface ControlOutbox {
  /** Keeps `call` until completeControl, due at `dueAt`; resolves to its id. */
  scheduleControl(call: ControlCall, dueAt: number, now: number): Promise<string>;
  /**
   * Hands out at most `limit` calls of `gameType` due at `now`, each held back — from every
   * other taker too — for a back-off that doubles with its attempts (1 s, 2 s, … at most
   * 5 min), and for at least `minHoldMs` (as long as one attempt can take, so no two takers
   * send a call at once): one that is not completed comes back then.
   */
  takeDueControls(gameType: string, now: number, limit: number, minHoldMs?: number): Promise<PendingControlCall[]>;
  /** Drops the call (it reached the server, or was given up). Idempotent. */
  completeControl(gameType: string, id: string): Promise<void>;
}

/**
 * The one port every backend implements; one contract suite runs against each.
 * Every mutation counts as activity: `lastActivityAt = now` and `expiresAt` is recomputed
 * from the catalog's state timeouts (on create too, whatever the record says).
 * Every mutation is atomic: it applies fully or throws a MatchmakerError and writes
 * nothing. Each successful mutation bumps `version` by exactly 1 and returns the change.
 */
export interface GameStore extends GameLifecycleStore, ControlOutbox, PartyStore, TicketStore {
  /**
   * Stores a new game (version 1). A private game's join code is registered for
   * findByCode; a code another live game of the type holds rejects with
   * INTERNAL_SERVER_ERROR that {@link isJoinCodeTaken} recognises (retry with a new code).
   * With `maxLiveCreated`, a creator who already has that many live games of the type
   * (not ENDED, still theirs) is refused TOO_MANY_GAMES, checked in the same atomic step.
   */
  create(game: GameRecord, opts?: CreateOptions): Promise<GameChangeRecord>;
  get(ref: GameRef): Promise<GameRecord | null>;
  /** GAME_NOT_FOUND, NOT_JOINABLE, ALREADY_JOINED, GAME_FULL, FORBIDDEN (wrong join code). */
  join(cmd: JoinCommand): Promise<GameChangeRecord>;
  /**
   * GAME_NOT_FOUND, NOT_A_PLAYER. The creator leaving deletes the game (DELETED change),
   * or with hostLeaves MIGRATE hands it to the longest-seated remaining player (UPDATED;
   * DELETED when nobody remains).
   */
  leave(cmd: LeaveCommand): Promise<GameChangeRecord>;
  /**
   * GAME_NOT_FOUND, FORBIDDEN, VERSION_CONFLICT; a join code already taken as for create.
   * A visibility change reports `previousVisibility`.
   */
  update(cmd: UpdateCommand): Promise<GameChangeRecord>;
  /** GAME_NOT_FOUND, FORBIDDEN. */
  delete(cmd: DeleteCommand): Promise<GameChangeRecord>;
  /**
   * One page in sort order after `after`, at a cost bounded by the store's SearchBudget
   * (not by how many games exist): a page may be short — even empty — with hasNextPage,
   * to be continued from its endCursor. BAD_USER_INPUT for a sort or label filter the
   * listed game types cannot serve (see normalizeSort).
   */
  list(query: ListQuery): Promise<Page>;
  /**
   * Seats the party in the best fitting open public game, or stores `newGame` when none
   * of the first `scanBudget` candidates fits — one atomic step, so racing calls never
   * overfill a game nor create one while another fits. Candidates are walked from the
   * party's size upwards in free seats (never all games). A party that fits nowhere gets a
   * new game — unless the caller is at `maxLiveCreated` (TOO_MANY_GAMES). Rejects otherwise
   * only with BACKEND_UNAVAILABLE or id collision.
   */
  quickJoin(cmd: QuickJoinCommand): Promise<QuickJoinOutcome>;
  /** The live game holding join `code` (any type), or null. */
  findByCode(code: string): Promise<GameRef | null>;
  /**
   * Stores the game-server token of a game created without one (quickJoin on a hosted
   * type); UPDATED, version + 1. GAME_NOT_FOUND when the game is gone.
   */
  attachServerToken(ref: GameRef, token: string, now: number): Promise<GameChangeRecord>;
  /**
   * Frees the seats of the listed players in one step (a party whose join the game server
   * refused); players not seated and the creator are left alone. null when none of them
   * was seated (nothing changed). GAME_NOT_FOUND when the game is gone.
   */
  evict(ref: GameRef, playerIds: readonly string[], seatFreed: HostTables, now: number): Promise<GameChangeRecord | null>;
  /** How many games of the type are in each state now (for the metrics). */
  countByState(gameType: string): Promise<Record<GameState, number>>;
  /** Readiness: resolves when the backend answers. */
  ping(): Promise<void>;
  /** A mark to pass to {@link replicated}: taken before the writes that are to be waited for. */
  replicationMark(): number;
  /**
   * Waits until this client's writes since `mark` have reached `replicas` replicas of every
   * master they went to (Redis WAIT), at most `timeoutMs`; false when they had not by then, or
   * when a connection was lost since `mark` (writes on it may be gone with its master). A
   * master with fewer replicas connected is held to those it has. True at once without
   * replicas to wait for (embedded mode). BACKEND_UNAVAILABLE when unreachable.
   */
  replicated(replicas: number, timeoutMs: number, mark: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * What a game-server event does to a game (docs/game-server-contract.md, "Event stream").
 * Every effect also counts as activity: the game's expiry restarts from `now`.
 */
export type EventEffect =
  /**
   * state_change / game_over: look the current state up in `table` (missing → INVALID_TRANSITION);
   * `result` is kept on the game; `confirmAll` (all_players_joined and later) confirms every
   * reserved seat. Every such event comes from the game server, so its host is there: a game
   * still waiting for its host becomes hostConnected, and its unconfirmed seats are held for
   * `reservationMs` from now (until then they could not connect).
   */
  | { kind: "transition"; table: StateTable; result?: Record<string, string>; confirmAll?: boolean; reservationMs: number }
  /**
   * player_disconnect: frees a non-creator's seat (the creator's is never freed this way);
   * in a state `seatFreed` has no row for (ENDED), the seat is kept and nothing changes.
   */
  | { kind: "removePlayer"; playerId: string; seatFreed: HostTables }
  /** player_connected: the reserved seat becomes confirmed. */
  | { kind: "confirmPlayer"; playerId: string }
  /** metadata: merged into labels (declared labels coerced by the service; indexes kept in step). */
  | { kind: "mergeLabels"; labels: Record<string, LabelValue> }
  /** gameplay / heartbeat: activity only. */
  | { kind: "touch" };

export interface EventCommand {
  ref: GameRef;
  effect: EventEffect;
  /**
   * The entry's stream id ("<ms>-<seq>"), or null when the event did not come from the
   * stream. The game remembers the last one applied: an entry at or before it was applied
   * already (redelivered after a crash or a takeover) and is a duplicate.
   */
  entryId: string | null;
  /** Producer's event_id: when given, an event already applied within the dedupe window is a duplicate. */
  eventId: string | null;
  now: number;
}

/** applyEvents: not applied because an earlier event of the same game in the batch failed; retry it after that one. */
export class EventHeldError extends Error {
  constructor(readonly gameId: string) {
    super(`event for game "${gameId}" held back behind an earlier one that failed`);
    this.name = "EventHeldError";
  }
}

export type EventOutcome =
  /** The game changed: version bumped by 1, publish this change. */
  | { status: "applied"; change: GameChangeRecord }
  /** Nothing visible changed (repeat of the current state, activity only, player already gone); activity recorded. */
  | { status: "unchanged" }
  /** This event_id, or a stream entry at or before the game's last applied one, was applied before: nothing done at all. */
  | { status: "duplicate" }
  /**
   * The entry is exactly the game's last applied one: a redelivery after its worker died,
   * perhaps between storing the change and publishing it. Nothing is written; `change` is
   * the game as it stands, to publish again (watchers see its version a second time).
   */
  | { status: "replayed"; change: GameChangeRecord }
  /** The game was deleted a short while ago (see GAME_TOMBSTONE_MS): nothing left to apply it to. */
  | { status: "gone" };

/** What recordActivity found for one game id. */
export type ActivityOutcome = "recorded" | "gone" | "missing";

export interface ExpireOutcome {
  /** The change to publish: DELETED when the game expired, UPDATED when only reserved seats were freed. */
  change: GameChangeRecord;
  /** Players whose unconfirmed seats were freed (call remove_player for each). */
  freedPlayers: string[];
}

/**
 * Expiry and event support, implemented by both backends next to {@link GameStore}.
 *
 * Deadlines: a game's `expiresAt` is `lastActivityAt + stateTimeouts[state]` (from the
 * catalog the store was built with), recomputed by every change and every event; an
 * unconfirmed seat (`confirmed: false`) is held until its `reservedUntil`. Both live in
 * one per-type deadline index holding the earliest of them, so finding due games never
 * scans all games.
 */
export interface GameLifecycleStore {
  /**
   * Applies one game-server event atomically. Rejects with GAME_NOT_FOUND (no such game,
   * nor one deleted within GAME_TOMBSTONE_MS), or INVALID_TRANSITION (nothing written, not
   * even activity) for an illegal state move.
   */
  applyEvent(cmd: EventCommand): Promise<EventOutcome>;
  /**
   * applyEvent for many events at once (the worker's batch), each game's in the order given:
   * one promise per command, in order, each settling as soon as its part of the batch is
   * done (so its change can go out while the rest is applied). A refusal rejects that
   * command alone; a command that failed otherwise holds its game's later commands back
   * unapplied (each rejected with EventHeldError), so nothing is applied past an event that
   * must be retried. A call that failed rejects the commands it carried (BACKEND_UNAVAILABLE).
   */
  applyEvents(cmds: readonly EventCommand[]): Promise<EventOutcome>[];
  /**
   * Activity only (gameplay, heartbeat) for many games of one type in one step: each
   * existing game's expiry restarts from `now`; no version bump, nothing to publish.
   * Resolves to one outcome per id: recorded, gone (deleted a short while ago) or missing.
   */
  recordActivity(gameType: string, ids: readonly string[], now: number): Promise<ActivityOutcome[]>;
  /**
   * Records that a stream entry of `gameType` has been read (idempotent; a worker calls it
   * once per type), so an operator can be told when hosted games expire while no game
   * server's entry ever arrived — the stream is being read from the wrong place.
   */
  markStreamSeen(gameType: string, now: number): Promise<void>;
  /** Whether markStreamSeen was ever called for `gameType` (by any worker). */
  streamSeen(gameType: string): Promise<boolean>;
  /** Ids of games of `gameType` whose earliest deadline is ≤ now, oldest first, at most `limit`. */
  dueGames(gameType: string, now: number, limit: number): Promise<string[]>;
  /**
   * Re-checks the game's deadlines atomically: frees every unconfirmed seat whose
   * reservation has passed (game listed again; never while the game waits for its host:
   * those players cannot connect yet), or deletes the game when its state
   * timeout has passed. null when nothing is due (another sweeper got there first, or
   * activity moved the deadline) or the game is gone — so racing sweepers expire a game once.
   */
  expire(ref: GameRef, now: number, seatFreed: HostTables): Promise<ExpireOutcome | null>;
}
