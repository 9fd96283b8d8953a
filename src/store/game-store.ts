import type { Actor, GameChangeRecord, GameRecord, PlayerRecord, Visibility, LabelValue } from "../domain/game.js";
import type { GameSort, NormalizedFilter } from "../domain/filter.js";
import type { Cursor, Page } from "../domain/paging.js";
import type { GameState } from "../domain/game.js";

export interface GameRef {
  gameType: string;
  id: string;
}

/** Transition maps from the pure state machine (see transitionTable); the store only looks them up. */
export type StateTable = Partial<Record<GameState, GameState>>;

export interface JoinCommand {
  ref: GameRef;
  player: PlayerRecord;
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
  seatFreed: StateTable;
  now: number;
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

/**
 * The one port every backend implements; one contract suite runs against each.
 * Every mutation is atomic: it applies fully or throws a MatchmakerError and writes
 * nothing. Each successful mutation bumps `version` by exactly 1 and returns the change.
 */
export interface GameStore {
  /** Stores a new game (version 1). */
  create(game: GameRecord): Promise<GameChangeRecord>;
  get(ref: GameRef): Promise<GameRecord | null>;
  /** GAME_NOT_FOUND, NOT_JOINABLE, ALREADY_JOINED, GAME_FULL, FORBIDDEN (wrong join code). */
  join(cmd: JoinCommand): Promise<GameChangeRecord>;
  /** GAME_NOT_FOUND, NOT_A_PLAYER. The creator leaving deletes the game (DELETED change). */
  leave(cmd: LeaveCommand): Promise<GameChangeRecord>;
  /** GAME_NOT_FOUND, FORBIDDEN, VERSION_CONFLICT. */
  update(cmd: UpdateCommand): Promise<GameChangeRecord>;
  /** GAME_NOT_FOUND, FORBIDDEN. */
  delete(cmd: DeleteCommand): Promise<GameChangeRecord>;
  list(query: ListQuery): Promise<Page>;
  /** Readiness: resolves when the backend answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
