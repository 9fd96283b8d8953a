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

export type EnqueueMatchTicketInput = {
  gameType: string | number;
  /** Required by a queue with a region rule; at most 32. */
  latencies?: Array<RegionLatencyInput> | null | undefined;
  /** A party you lead (createParty): its members at this moment are seated with you, all or none. Each member joined the party themselves; they find their seat through the party's game. Here: they search together, in one team. */
  partyId?: string | number | null | undefined;
  /** A queue of the game type (its catalog entry's `queues`). */
  queue: string;
  /** Your rating in the queue's rating attribute (for a party: its agreed rating); required by a queue whose ratings come from input. A queue whose ratings come from player tokens (rating.source: token) reads the tokens' ratings claim instead: leave this out, or send the same value. */
  rating?: number | null | undefined;
};

export type GameFilter = {
  gameType?: string | number | null | undefined;
  /** Also list hosted games whose host has not connected to the game server yet (hostConnected: false). Default false: the lobby lists only games a player can connect to. */
  includeWaitingForHost?: boolean | null | undefined;
  /** Needs gameType; only declared labels. */
  labels?: Array<LabelFilter> | null | undefined;
  minFreeSeats?: number | null | undefined;
  regions?: Array<string> | null | undefined;
  /** Default: every state but ENDED (a finished game is kept a while for its result, never offered again). */
  states?: Array<GameState> | null | undefined;
  /** Default PUBLIC; PRIVATE is for admins. */
  visibility?: Visibility | null | undefined;
};

export type GameSort = {
  direction?: SortDirection;
  field?: GameSortField;
  /** LABEL and NEAREST: a numeric label every listed game type declares. */
  label?: string | null | undefined;
  /** NEAREST: the value closest games are listed first for. */
  target?: number | null | undefined;
};

export type GameSortField =
  /** Creation time. */
  | 'CREATED_AT'
  /** Free seats, then creation time. */
  | 'FREE_SEATS'
  /** The numeric label sort.label (declared by the game type); games without it are not listed. Ties by id. */
  | 'LABEL'
  /** Closeness of the numeric label sort.label to sort.target (|value − target|, closest first; ASC only); at equal distance the lower value first, then by id. Games without the label are not listed. */
  | 'NEAREST';

/** Life-cycle state; wire names: created, creator_joined, all_players_joined, in_progress, ended. */
export type GameState =
  | 'CREATED'
  | 'ENDED'
  | 'FULL'
  | 'IN_PROGRESS'
  | 'OPEN';

/** What happens when a game's creator leaves: CLOSE deletes it, MIGRATE hands it to the longest-seated player. */
export type HostLeavesPolicy =
  | 'CLOSE'
  | 'MIGRATE';

/** Compare a label: eq/ne for string and numeric labels, gt/gte/lt/lte/between for numeric ones. All given parts must hold. */
export type LabelFilter = {
  /** Inclusive range [low, high]; low ≤ high. */
  between?: Array<number> | null | undefined;
  eq?: string | null | undefined;
  gt?: number | null | undefined;
  gte?: number | null | undefined;
  key: string;
  lt?: number | null | undefined;
  lte?: number | null | undefined;
  ne?: string | null | undefined;
};

/** SEARCHING until exactly one outcome: MATCHED (into a new game), TIMED_OUT (with a reason) or CANCELLED. */
export type MatchTicketStatus =
  | 'CANCELLED'
  | 'MATCHED'
  | 'SEARCHING'
  | 'TIMED_OUT';

/** What a game must match to be joined; the lobby's label semantics. */
export type QuickJoinFilter = {
  /** Declared labels only; a game quickJoin creates gets every eq value. */
  labels?: Array<LabelFilter> | null | undefined;
  /** Only games in these states (of those that take players: CREATED, OPEN). */
  states?: Array<GameState> | null | undefined;
};

export type QuickJoinInput = {
  filter?: QuickJoinFilter | null | undefined;
  gameType: string | number;
  /** Labels of a game quickJoin creates, besides the filter's eq values. */
  labels?: any;
  /** A party you lead (createParty): its members at this moment are seated with you, all or none. Each member joined the party themselves; they find their seat through the party's game. */
  partyId?: string | number | null | undefined;
  /** Only games of this region; a created game goes there. */
  region?: string | null | undefined;
  /** Settings of a game quickJoin creates (checked, defaults applied). */
  settings?: any;
};

/** Which fitting game quickJoin picks first; ties go to the oldest game. */
export type QuickJoinPreference =
  | 'FEWEST_FREE_SEATS'
  | 'MOST_FREE_SEATS'
  | 'OLDEST';

/** A measured round trip to one region. */
export type RegionLatencyInput = {
  /** Milliseconds, ≥ 0. */
  ms: number;
  region: string;
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

export type PartyFieldsFragment = { id: string, maxSize: number, version: number, expiresAt: string, gameType: { id: string }, leader: { playerId: string, name: string }, members: Array<{ playerId: string, name: string, joinedAt: string }>, game: { id: string, players: Array<{ id: string, name: string }>, server: { socketUrl: string | null, token: string | null } | null } | null };

export type CreatePartyMutationVariables = Exact<{
  gameType: string | number;
  maxSize?: number | null | undefined;
}>;


export type CreatePartyMutation = { createParty: { id: string, maxSize: number, version: number, expiresAt: string, gameType: { id: string }, leader: { playerId: string, name: string }, members: Array<{ playerId: string, name: string, joinedAt: string }>, game: { id: string, players: Array<{ id: string, name: string }>, server: { socketUrl: string | null, token: string | null } | null } | null } };

export type JoinPartyMutationVariables = Exact<{
  id: string | number;
}>;


export type JoinPartyMutation = { joinParty: { id: string, maxSize: number, version: number, expiresAt: string, gameType: { id: string }, leader: { playerId: string, name: string }, members: Array<{ playerId: string, name: string, joinedAt: string }>, game: { id: string, players: Array<{ id: string, name: string }>, server: { socketUrl: string | null, token: string | null } | null } | null } };

export type LeavePartyMutationVariables = Exact<{
  id: string | number;
  playerId?: string | number | null | undefined;
}>;


export type LeavePartyMutation = { leaveParty: { id: string, maxSize: number, version: number, expiresAt: string, gameType: { id: string }, leader: { playerId: string, name: string }, members: Array<{ playerId: string, name: string, joinedAt: string }>, game: { id: string, players: Array<{ id: string, name: string }>, server: { socketUrl: string | null, token: string | null } | null } | null } | null };

export type PartyQueryVariables = Exact<{
  id: string | number;
}>;


export type PartyQuery = { party: { id: string, maxSize: number, version: number, expiresAt: string, gameType: { id: string }, leader: { playerId: string, name: string }, members: Array<{ playerId: string, name: string, joinedAt: string }>, game: { id: string, players: Array<{ id: string, name: string }>, server: { socketUrl: string | null, token: string | null } | null } | null } | null };

export type PartyChangedSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type PartyChangedSubscription = { partyChanged: { kind: ChangeKind, partyId: string, version: number, party: { members: Array<{ playerId: string }>, game: { id: string } | null } | null } };

export type MatchGameFieldsFragment = { id: string, state: GameState, version: number, capacity: number, freeSeats: number, visibility: Visibility, joinCode: string | null, region: string | null, labels: any, createdAt: string, hostConnected: boolean, gameType: { id: string }, creator: { id: string, name: string }, players: Array<{ id: string, name: string }>, seats: Array<{ joinedAt: string, confirmed: boolean, player: { id: string } }>, server: { socketUrl: string | null, token: string | null } | null };

export type QuickJoinMutationVariables = Exact<{
  input: QuickJoinInput;
}>;


export type QuickJoinMutation = { quickJoin: { id: string, state: GameState, version: number, capacity: number, freeSeats: number, visibility: Visibility, joinCode: string | null, region: string | null, labels: any, createdAt: string, hostConnected: boolean, gameType: { id: string }, creator: { id: string, name: string }, players: Array<{ id: string, name: string }>, seats: Array<{ joinedAt: string, confirmed: boolean, player: { id: string } }>, server: { socketUrl: string | null, token: string | null } | null } };

export type JoinGameByCodeMutationVariables = Exact<{
  code: string;
  partyId?: string | number | null | undefined;
}>;


export type JoinGameByCodeMutation = { joinGameByCode: { id: string, state: GameState, version: number, capacity: number, freeSeats: number, visibility: Visibility, joinCode: string | null, region: string | null, labels: any, createdAt: string, hostConnected: boolean, gameType: { id: string }, creator: { id: string, name: string }, players: Array<{ id: string, name: string }>, seats: Array<{ joinedAt: string, confirmed: boolean, player: { id: string } }>, server: { socketUrl: string | null, token: string | null } | null } };

export type JoinWithPartyMutationVariables = Exact<{
  id: string | number;
  joinCode?: string | null | undefined;
  partyId?: string | number | null | undefined;
}>;


export type JoinWithPartyMutation = { joinGame: { id: string, state: GameState, version: number, capacity: number, freeSeats: number, visibility: Visibility, joinCode: string | null, region: string | null, labels: any, createdAt: string, hostConnected: boolean, gameType: { id: string }, creator: { id: string, name: string }, players: Array<{ id: string, name: string }>, seats: Array<{ joinedAt: string, confirmed: boolean, player: { id: string } }>, server: { socketUrl: string | null, token: string | null } | null } };

export type LeaveAndSeeMutationVariables = Exact<{
  id: string | number;
}>;


export type LeaveAndSeeMutation = { leaveGame: { id: string, state: GameState, version: number, capacity: number, freeSeats: number, visibility: Visibility, joinCode: string | null, region: string | null, labels: any, createdAt: string, hostConnected: boolean, gameType: { id: string }, creator: { id: string, name: string }, players: Array<{ id: string, name: string }>, seats: Array<{ joinedAt: string, confirmed: boolean, player: { id: string } }>, server: { socketUrl: string | null, token: string | null } | null } | null };

export type GameTypePoliciesQueryVariables = Exact<{ [key: string]: never; }>;


export type GameTypePoliciesQuery = { gameTypes: Array<{ id: string, maxPlayers: number, hostLeaves: HostLeavesPolicy, quickJoinPrefer: QuickJoinPreference }> };

export type MatchGameChangedSubscriptionVariables = Exact<{
  id?: string | number | null | undefined;
  gameType?: string | number | null | undefined;
}>;


export type MatchGameChangedSubscription = { gameChanged: { kind: ChangeKind, gameId: string, version: number, game: { id: string, visibility: Visibility, creator: { id: string }, players: Array<{ id: string }> } | null } };

export type SearchGamesQueryVariables = Exact<{
  filter?: GameFilter | null | undefined;
  sort?: GameSort | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type SearchGamesQuery = { games: { totalCount: number, totalCountCapped: boolean, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, region: string | null, freeSeats: number, labels: any, createdAt: string } }> } };

export type TicketFieldsFragment = { id: string, queue: string, status: MatchTicketStatus, version: number, partyId: string | null, rating: number, waitedSeconds: number, window: number | null, poolSize: number | null, queueSize: number | null, estimatedWaitSeconds: number | null, teams: Array<Array<string>> | null, teamDifference: number | null, region: string | null, reason: string | null, gameType: { id: string }, players: Array<{ playerId: string, name: string }>, game: { id: string, capacity: number, players: Array<{ id: string, name: string }> } | null };

export type EnqueueTicketMutationVariables = Exact<{
  input: EnqueueMatchTicketInput;
}>;


export type EnqueueTicketMutation = { enqueueMatchTicket: { id: string, queue: string, status: MatchTicketStatus, version: number, partyId: string | null, rating: number, waitedSeconds: number, window: number | null, poolSize: number | null, queueSize: number | null, estimatedWaitSeconds: number | null, teams: Array<Array<string>> | null, teamDifference: number | null, region: string | null, reason: string | null, gameType: { id: string }, players: Array<{ playerId: string, name: string }>, game: { id: string, capacity: number, players: Array<{ id: string, name: string }> } | null } };

export type CancelTicketMutationVariables = Exact<{
  id: string | number;
}>;


export type CancelTicketMutation = { cancelMatchTicket: { cancelled: boolean, ticket: { id: string, queue: string, status: MatchTicketStatus, version: number, partyId: string | null, rating: number, waitedSeconds: number, window: number | null, poolSize: number | null, queueSize: number | null, estimatedWaitSeconds: number | null, teams: Array<Array<string>> | null, teamDifference: number | null, region: string | null, reason: string | null, gameType: { id: string }, players: Array<{ playerId: string, name: string }>, game: { id: string, capacity: number, players: Array<{ id: string, name: string }> } | null } } };

export type TicketQueryVariables = Exact<{
  id: string | number;
}>;


export type TicketQuery = { matchTicket: { id: string, queue: string, status: MatchTicketStatus, version: number, partyId: string | null, rating: number, waitedSeconds: number, window: number | null, poolSize: number | null, queueSize: number | null, estimatedWaitSeconds: number | null, teams: Array<Array<string>> | null, teamDifference: number | null, region: string | null, reason: string | null, gameType: { id: string }, players: Array<{ playerId: string, name: string }>, game: { id: string, capacity: number, players: Array<{ id: string, name: string }> } | null } | null };

export type TicketChangedSubscriptionVariables = Exact<{
  id: string | number;
  afterVersion?: number | null | undefined;
}>;


export type TicketChangedSubscription = { matchTicketChanged: { previousStatus: MatchTicketStatus | null, ticket: { id: string, queue: string, status: MatchTicketStatus, version: number, partyId: string | null, rating: number, waitedSeconds: number, window: number | null, poolSize: number | null, queueSize: number | null, estimatedWaitSeconds: number | null, teams: Array<Array<string>> | null, teamDifference: number | null, region: string | null, reason: string | null, gameType: { id: string }, players: Array<{ playerId: string, name: string }>, game: { id: string, capacity: number, players: Array<{ id: string, name: string }> } | null } } };

export type GameFieldsFragment = { id: string, state: GameState, version: number, capacity: number, freeSeats: number, visibility: Visibility, joinCode: string | null, region: string | null, settings: any, labels: any, result: any, createdAt: string, updatedAt: string, expiresAt: string | null, hostConnected: boolean, gameType: { id: string, name: string }, creator: { id: string, name: string }, players: Array<{ id: string, name: string }>, seats: Array<{ joinedAt: string, confirmed: boolean, player: { id: string } }>, server: { socketUrl: string | null, token: string | null } | null };

export type GameTypesQueryVariables = Exact<{ [key: string]: never; }>;


export type GameTypesQuery = { gameTypes: Array<{ id: string, name: string, minPlayers: number, maxPlayers: number, regions: Array<string>, hasGameServer: boolean, settingsSchema: any, labels: Array<{ key: string, kind: string }>, stateTimeouts: Array<{ state: GameState, seconds: number }> }> };

export type GameTypeQueryVariables = Exact<{
  id: string | number;
}>;


export type GameTypeQuery = { gameType: { id: string, name: string, minPlayers: number, maxPlayers: number } | null };

export type GameQueryVariables = Exact<{
  id: string | number;
}>;


export type GameQuery = { game: { id: string, state: GameState, version: number, capacity: number, freeSeats: number, visibility: Visibility, joinCode: string | null, region: string | null, settings: any, labels: any, result: any, createdAt: string, updatedAt: string, expiresAt: string | null, hostConnected: boolean, gameType: { id: string, name: string }, creator: { id: string, name: string }, players: Array<{ id: string, name: string }>, seats: Array<{ joinedAt: string, confirmed: boolean, player: { id: string } }>, server: { socketUrl: string | null, token: string | null } | null } | null };

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


export type CreateGameMutation = { createGame: { id: string, state: GameState, version: number, capacity: number, freeSeats: number, visibility: Visibility, joinCode: string | null, region: string | null, settings: any, labels: any, result: any, createdAt: string, updatedAt: string, expiresAt: string | null, hostConnected: boolean, gameType: { id: string, name: string }, creator: { id: string, name: string }, players: Array<{ id: string, name: string }>, seats: Array<{ joinedAt: string, confirmed: boolean, player: { id: string } }>, server: { socketUrl: string | null, token: string | null } | null } };

export type JoinGameMutationVariables = Exact<{
  id: string | number;
  joinCode?: string | null | undefined;
}>;


export type JoinGameMutation = { joinGame: { id: string, state: GameState, version: number, capacity: number, freeSeats: number, visibility: Visibility, joinCode: string | null, region: string | null, settings: any, labels: any, result: any, createdAt: string, updatedAt: string, expiresAt: string | null, hostConnected: boolean, gameType: { id: string, name: string }, creator: { id: string, name: string }, players: Array<{ id: string, name: string }>, seats: Array<{ joinedAt: string, confirmed: boolean, player: { id: string } }>, server: { socketUrl: string | null, token: string | null } | null } };

export type LeaveGameMutationVariables = Exact<{
  id: string | number;
}>;


export type LeaveGameMutation = { leaveGame: { id: string, version: number, freeSeats: number, state: GameState } | null };

export type UpdateGameMutationVariables = Exact<{
  id: string | number;
  input: UpdateGameInput;
}>;


export type UpdateGameMutation = { updateGame: { id: string, state: GameState, version: number, capacity: number, freeSeats: number, visibility: Visibility, joinCode: string | null, region: string | null, settings: any, labels: any, result: any, createdAt: string, updatedAt: string, expiresAt: string | null, hostConnected: boolean, gameType: { id: string, name: string }, creator: { id: string, name: string }, players: Array<{ id: string, name: string }>, seats: Array<{ joinedAt: string, confirmed: boolean, player: { id: string } }>, server: { socketUrl: string | null, token: string | null } | null } };

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
