/** Every operation the end-to-end tests send; codegen types them into test/generated/graphql.ts. */

const GAME_FIELDS = /* GraphQL */ `
  fragment GameFields on Game {
    id
    gameType { id name }
    state
    version
    creator { id name }
    players { id name }
    seats { player { id } joinedAt confirmed }
    capacity
    freeSeats
    visibility
    joinCode
    region
    settings
    labels
    result
    createdAt
    updatedAt
    expiresAt
    hostConnected
    server { socketUrl token }
  }
`;

export const GAME_TYPES = /* GraphQL */ `
  query GameTypes {
    gameTypes { id name minPlayers maxPlayers regions hasGameServer settingsSchema labels { key kind } stateTimeouts { state seconds } }
  }
`;

export const GAME_TYPE = /* GraphQL */ `
  query GameType($id: ID!) {
    gameType(id: $id) { id name minPlayers maxPlayers }
  }
`;

export const GAME = /* GraphQL */ `
  query Game($id: ID!) {
    game(id: $id) { ...GameFields }
  }
  ${GAME_FIELDS}
`;

export const GAMES = /* GraphQL */ `
  query Games($filter: GameFilter, $sort: GameSort, $first: Int, $after: String) {
    games(filter: $filter, sort: $sort, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id state freeSeats region labels createdAt } }
    }
  }
`;

export const CREATE_GAME = /* GraphQL */ `
  mutation CreateGame($input: CreateGameInput!) {
    createGame(input: $input) { ...GameFields }
  }
  ${GAME_FIELDS}
`;

export const JOIN_GAME = /* GraphQL */ `
  mutation JoinGame($id: ID!, $joinCode: String) {
    joinGame(id: $id, joinCode: $joinCode) { ...GameFields }
  }
  ${GAME_FIELDS}
`;

export const LEAVE_GAME = /* GraphQL */ `
  mutation LeaveGame($id: ID!) {
    leaveGame(id: $id) { id version freeSeats state }
  }
`;

export const UPDATE_GAME = /* GraphQL */ `
  mutation UpdateGame($id: ID!, $input: UpdateGameInput!) {
    updateGame(id: $id, input: $input) { ...GameFields }
  }
  ${GAME_FIELDS}
`;

export const DELETE_GAME = /* GraphQL */ `
  mutation DeleteGame($id: ID!) {
    deleteGame(id: $id)
  }
`;

export const GAME_CHANGED = /* GraphQL */ `
  subscription GameChanged($id: ID, $gameType: ID, $states: [GameState!]) {
    gameChanged(id: $id, gameType: $gameType, states: $states) {
      kind
      gameId
      gameType
      version
      previousState
      game { id state version freeSeats visibility players { id } server { token } }
    }
  }
`;
