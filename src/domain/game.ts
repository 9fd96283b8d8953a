/** The game model shared by every backend. Times are epoch milliseconds; no Date objects cross a boundary. */

export enum GameState {
  CREATED = "CREATED",
  OPEN = "OPEN",
  FULL = "FULL",
  IN_PROGRESS = "IN_PROGRESS",
  ENDED = "ENDED",
}

export const ALL_STATES: readonly GameState[] = Object.values(GameState);

/** GraphQL enum ↔ the original matchmaker's wire names (GAME_SERVER_CONTRACT.md §3). */
export const WIRE_STATE_NAME: Readonly<Record<GameState, string>> = {
  [GameState.CREATED]: "created",
  [GameState.OPEN]: "creator_joined",
  [GameState.FULL]: "all_players_joined",
  [GameState.IN_PROGRESS]: "in_progress",
  [GameState.ENDED]: "ended",
};

export function stateFromWireName(name: string): GameState | undefined {
  return ALL_STATES.find((s) => WIRE_STATE_NAME[s] === name);
}

export enum Visibility {
  PUBLIC = "PUBLIC",
  PRIVATE = "PRIVATE",
}

export type LabelValue = string | number;

export interface PlayerRecord {
  id: string;
  name: string;
  joinedAt: number;
  /** Seat confirmed by the game server (or by the matchmaker for the creator and for lobby-only types). */
  confirmed: boolean;
  /** While unconfirmed: when the seat is freed unless the game server confirms it (epoch ms). */
  reservedUntil: number | null;
}

export interface GameRecord {
  id: string;
  gameType: string;
  state: GameState;
  creatorId: string;
  /** In seating order; the creator is first until the creator leaves. */
  players: PlayerRecord[];
  capacity: number;
  visibility: Visibility;
  joinCode: string | null;
  region: string | null;
  settings: Record<string, unknown>;
  labels: Record<string, LabelValue>;
  result: Record<string, string> | null;
  serverToken: string | null;
  version: number;
  createdAt: number;
  updatedAt: number;
  /** When the game expires unless something happens (state timeout from its last activity). */
  expiresAt: number | null;
  /** Last event or change seen for the game (epoch ms); expiry counts from here. */
  lastActivityAt: number;
}

export const freeSeats = (g: Pick<GameRecord, "capacity" | "players">): number => g.capacity - g.players.length;

export const isPlayer = (g: Pick<GameRecord, "players">, playerId: string): boolean =>
  g.players.some((p) => p.id === playerId);

/** Who asks for a change; `admin` may act on any game. */
export interface Actor {
  id: string;
  name: string;
  admin: boolean;
}

export enum ChangeKind {
  CREATED = "CREATED",
  UPDATED = "UPDATED",
  DELETED = "DELETED",
}

/** What the store reports back for every applied change; the service publishes exactly this. */
export interface GameChangeRecord {
  kind: ChangeKind;
  gameId: string;
  gameType: string;
  version: number;
  /** State before the change (null on CREATED), so state-filtered watchers learn when a game leaves their view. */
  previousState: GameState | null;
  /** Set when the change switched visibility, so lobby watchers learn when a game leaves their view. */
  previousVisibility?: Visibility;
  /** Snapshot after the change; for DELETED the last state with the delete's version. */
  game: GameRecord;
}

/**
 * What watchers receive: a stored change, or (game null, kind DELETED) a notice that a
 * game left the lobby of its type — it turned private — sent on the type's topic only.
 */
export type GameChangeMessage = Omit<GameChangeRecord, "game"> & { game: GameRecord | null };

/** What a new game is made of; the rest of the record starts the same for every game. */
export interface NewGameParts {
  gameType: string;
  creatorId: string;
  players: PlayerRecord[];
  capacity: number;
  visibility: Visibility;
  region: string | null;
  settings: Record<string, unknown>;
  labels: Record<string, LabelValue>;
  now: number;
}

/** A game as created: state CREATED, version 1, no code, token or result yet. Never throws. */
export function newGameRecord(id: string, p: NewGameParts): GameRecord {
  return {
    id,
    gameType: p.gameType,
    state: GameState.CREATED,
    creatorId: p.creatorId,
    players: p.players,
    capacity: p.capacity,
    visibility: p.visibility,
    joinCode: null,
    region: p.region,
    settings: p.settings,
    labels: p.labels,
    result: null,
    serverToken: null,
    version: 1,
    createdAt: p.now,
    updatedAt: p.now,
    expiresAt: null,
    lastActivityAt: p.now,
  };
}
