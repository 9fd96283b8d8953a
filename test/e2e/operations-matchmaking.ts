/** Matchmaking operations the end-to-end tests send (quickJoin, join codes, parties); typed by codegen. */

const MATCH_GAME_FIELDS = /* GraphQL */ `
  fragment MatchGameFields on Game {
    id
    gameType { id }
    state
    version
    creator { id name }
    players { id name confirmed }
    capacity
    freeSeats
    visibility
    joinCode
    region
    labels
    createdAt
    hostConnected
    server { socketUrl token }
  }
`;

export const QUICK_JOIN = /* GraphQL */ `
  mutation QuickJoin($input: QuickJoinInput!) {
    quickJoin(input: $input) { ...MatchGameFields }
  }
  ${MATCH_GAME_FIELDS}
`;

export const JOIN_GAME_BY_CODE = /* GraphQL */ `
  mutation JoinGameByCode($code: String!, $party: [ID!]) {
    joinGameByCode(code: $code, party: $party) { ...MatchGameFields }
  }
  ${MATCH_GAME_FIELDS}
`;

export const JOIN_PARTY = /* GraphQL */ `
  mutation JoinParty($id: ID!, $joinCode: String, $party: [ID!]) {
    joinGame(id: $id, joinCode: $joinCode, party: $party) { ...MatchGameFields }
  }
  ${MATCH_GAME_FIELDS}
`;

export const LEAVE_AND_SEE = /* GraphQL */ `
  mutation LeaveAndSee($id: ID!) {
    leaveGame(id: $id) { ...MatchGameFields }
  }
  ${MATCH_GAME_FIELDS}
`;

export const GAME_TYPE_POLICIES = /* GraphQL */ `
  query GameTypePolicies {
    gameTypes { id maxPlayers hostLeaves quickJoinPrefer }
  }
`;

export const MATCH_GAME_CHANGED = /* GraphQL */ `
  subscription MatchGameChanged($id: ID, $gameType: ID) {
    gameChanged(id: $id, gameType: $gameType) {
      kind
      gameId
      version
      game { id visibility creator { id } players { id } }
    }
  }
`;
