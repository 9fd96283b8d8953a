/** The game model shared by every backend. Times are epoch milliseconds; no Date objects cross a boundary. */

export enum GameState {
  CREATED = "CREATED",
  OPEN = "OPEN",
  FULL = "FULL",
  IN_PROGRESS = "IN_PROGRESS",
  ENDED = "ENDED",
}

export const ALL_STATES: readonly GameState[] = Object.values(GameState);

/** GraphQL enum ↔ the original matchmaker's wire names (docs/game-server-contract.md, "Life cycle"). */
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
  /**
   * Whether the host is on the game server (creator_joined or any later server event).
   * Always true for types without a game server. Until then only the host is given the
   * server's address and token, and the lobby does not list the game.
   */
  hostConnected: boolean;
  version: number;
  createdAt: number;
  updatedAt: number;
  /** When the game expires unless something happens (state timeout from its last activity). */
  expiresAt: number | null;
  /** Last event or change seen for the game (epoch ms); expiry counts from here. */
  lastActivityAt: number;
  /** Present on a game the ticket matcher formed: its teams and how even they are. */
  match?: GameMatch;
}

/** How the ticket matcher formed a game: the queue, the teams (player ids) and their ratings. */
export interface GameMatch {
  queueId: string;
  /** Player ids per team (one team for a group layout). */
  teams: string[][];
  /** Each team's rating (party-size weighted mean), in the order of `teams`. */
  teamRatings: number[];
  /** Highest team rating − lowest. */
  teamDifference: number;
  /** Highest member rating − lowest. */
  ratingSpread: number;
}

export const freeSeats = (g: Pick<GameRecord, "capacity" | "players">): number => g.capacity - g.players.length;

export const isPlayer = (g: Pick<GameRecord, "players">, playerId: string): boolean =>
  g.players.some((p) => p.id === playerId);

/** Who asks for a change; `admin` may act on any game. */
export interface Actor {
  id: string;
  name: string;
  admin: boolean;
  /** The token's `ratings` claim (attribute → rating), signed by the studio; absent when it has none. */
  ratings?: Readonly<Record<string, number>>;
  /** With ratings: when the token expires (epoch ms); a rating kept past it (a party member's) no longer counts. */
  ratingsUntil?: number;
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
  /** The type has a game server: the game waits in CREATED for its host to connect. */
  hosted: boolean;
  now: number;
  /** Set by the ticket matcher on the games it forms. */
  match?: GameMatch;
}

/**
 * The state a new game starts in: FULL when its seats are all taken (a party can fill
 * them), else CREATED while a hosted game waits for its host, else OPEN — a type without
 * a game server has nothing left to confirm once its creator is seated. Never throws.
 */
export function initialState(p: Pick<NewGameParts, "capacity" | "players" | "hosted">): GameState {
  if (p.players.length >= p.capacity) return GameState.FULL;
  return p.hosted ? GameState.CREATED : GameState.OPEN;
}

/** A game as created (see initialState): version 1, no code, token or result yet. Never throws. */
export function newGameRecord(id: string, p: NewGameParts): GameRecord {
  return {
    id,
    gameType: p.gameType,
    state: initialState(p),
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
    hostConnected: !p.hosted,
    version: 1,
    createdAt: p.now,
    updatedAt: p.now,
    expiresAt: null,
    lastActivityAt: p.now,
    ...(p.match ? { match: p.match } : {}),
  };
}
