/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
export type ChangeKind =
  | 'CREATED'
  | 'DELETED'
  | 'UPDATED';

export type CreateGameInput = {
  /** Seats including the creator; defaults to the type's maxPlayers. */
  capacity?: number | null | undefined;
  gameType: string | number;
  /** key → string or number; declared labels must have their kind. */
  labels?: any;
  region?: string | null | undefined;
  /** Checked against the type's settingsSchema; defaults applied. */
  settings?: any;
  visibility?: Visibility | null | undefined;
};

export type GameFilter = {
  gameType?: string | number | null | undefined;
  /** Needs gameType; only declared labels. */
  labels?: Array<LabelFilter> | null | undefined;
  minFreeSeats?: number | null | undefined;
  regions?: Array<string> | null | undefined;
  states?: Array<GameState> | null | undefined;
  /** Default PUBLIC; PRIVATE is for admins. */
  visibility?: Visibility | null | undefined;
};

export type GameSort = {
  direction?: SortDirection;
  field?: GameSortField;
};

export type GameSortField =
  | 'CREATED_AT'
  | 'FREE_SEATS';

/** Life-cycle state; wire names: created, creator_joined, all_players_joined, in_progress, ended. */
export type GameState =
  | 'CREATED'
  | 'ENDED'
  | 'FULL'
  | 'IN_PROGRESS'
  | 'OPEN';

/** Compare a label: eq/ne for string and numeric labels, gt/gte/lt/lte for numeric ones. */
export type LabelFilter = {
  eq?: string | null | undefined;
  gt?: number | null | undefined;
  gte?: number | null | undefined;
  key: string;
  lt?: number | null | undefined;
  lte?: number | null | undefined;
  ne?: string | null | undefined;
};

export type SortDirection =
  | 'ASC'
  | 'DESC';

export type UpdateGameInput = {
  /** Apply only if the game is still at this version (else VERSION_CONFLICT). */
  expectedVersion?: number | null | undefined;
  /** Replaces all labels. */
  labels?: any;
  /** Replaces all settings (defaults applied). */
  settings?: any;
  /** Switching to PRIVATE issues a new join code. */
  visibility?: Visibility | null | undefined;
};

/** PRIVATE games are never listed; they are joined by id with a join code. */
export type Visibility =
  | 'PRIVATE'
  | 'PUBLIC';

export type GameFieldsFragment = { id: string, state: GameState, version: number, capacity: number, freeSeats: number, visibility: Visibility, joinCode: string | null, region: string | null, settings: any, labels: any, createdAt: string, updatedAt: string, gameType: { id: string, name: string }, creator: { id: string, name: string }, players: Array<{ id: string, name: string, confirmed: boolean }>, server: { socketUrl: string | null, token: string | null } | null };

export type GameTypesQueryVariables = Exact<{ [key: string]: never; }>;


export type GameTypesQuery = { gameTypes: Array<{ id: string, name: string, minPlayers: number, maxPlayers: number, regions: Array<string>, hasGameServer: boolean, settingsSchema: any, labels: Array<{ key: string, kind: string }>, stateTimeouts: Array<{ state: GameState, seconds: number }> }> };

export type GameTypeQueryVariables = Exact<{
  id: string | number;
}>;


export type GameTypeQuery = { gameType: { id: string, name: string, minPlayers: number, maxPlayers: number } | null };

export type GameQueryVariables = Exact<{
  id: string | number;
}>;


export type GameQuery = { game: { id: string, state: GameState, version: number, capacity: number, freeSeats: number, visibility: Visibility, joinCode: string | null, region: string | null, settings: any, labels: any, createdAt: string, updatedAt: string, gameType: { id: string, name: string }, creator: { id: string, name: string }, players: Array<{ id: string, name: string, confirmed: boolean }>, server: { socketUrl: string | null, token: string | null } | null } | null };

export type GamesQueryVariables = Exact<{
  filter?: GameFilter | null | undefined;
  sort?: GameSort | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type GamesQuery = { games: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, state: GameState, freeSeats: number, region: string | null, labels: any, createdAt: string } }> } };

export type CreateGameMutationVariables = Exact<{
  input: CreateGameInput;
}>;


export type CreateGameMutation = { createGame: { id: string, state: GameState, version: number, capacity: number, freeSeats: number, visibility: Visibility, joinCode: string | null, region: string | null, settings: any, labels: any, createdAt: string, updatedAt: string, gameType: { id: string, name: string }, creator: { id: string, name: string }, players: Array<{ id: string, name: string, confirmed: boolean }>, server: { socketUrl: string | null, token: string | null } | null } };

export type JoinGameMutationVariables = Exact<{
  id: string | number;
  joinCode?: string | null | undefined;
}>;


export type JoinGameMutation = { joinGame: { id: string, state: GameState, version: number, capacity: number, freeSeats: number, visibility: Visibility, joinCode: string | null, region: string | null, settings: any, labels: any, createdAt: string, updatedAt: string, gameType: { id: string, name: string }, creator: { id: string, name: string }, players: Array<{ id: string, name: string, confirmed: boolean }>, server: { socketUrl: string | null, token: string | null } | null } };

export type LeaveGameMutationVariables = Exact<{
  id: string | number;
}>;


export type LeaveGameMutation = { leaveGame: { id: string, version: number, freeSeats: number, state: GameState } | null };

export type UpdateGameMutationVariables = Exact<{
  id: string | number;
  input: UpdateGameInput;
}>;


export type UpdateGameMutation = { updateGame: { id: string, state: GameState, version: number, capacity: number, freeSeats: number, visibility: Visibility, joinCode: string | null, region: string | null, settings: any, labels: any, createdAt: string, updatedAt: string, gameType: { id: string, name: string }, creator: { id: string, name: string }, players: Array<{ id: string, name: string, confirmed: boolean }>, server: { socketUrl: string | null, token: string | null } | null } };

export type DeleteGameMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteGameMutation = { deleteGame: boolean };

export type GameChangedSubscriptionVariables = Exact<{
  id?: string | number | null | undefined;
  gameType?: string | number | null | undefined;
  states?: Array<GameState> | GameState | null | undefined;
}>;


export type GameChangedSubscription = { gameChanged: { kind: ChangeKind, gameId: string, gameType: string, version: number, previousState: GameState | null, game: { id: string, state: GameState, version: number, freeSeats: number, visibility: Visibility, players: Array<{ id: string }>, server: { token: string | null } | null } | null } };
