/** Matchmaking operations the end-to-end tests send (quickJoin, join codes, parties); typed by codegen. */

const PARTY_FIELDS = /* GraphQL */ `
  fragment PartyFields on Party {
    id
    gameType { id }
    leader { playerId name }
    members { playerId name joinedAt }
    maxSize
    version
    expiresAt
    game { id players { id name } server { socketUrl token } }
  }
`;

export const CREATE_PARTY = /* GraphQL */ `
  mutation CreateParty($gameType: ID!, $maxSize: Int) {
    createParty(gameType: $gameType, maxSize: $maxSize) { ...PartyFields }
  }
  ${PARTY_FIELDS}
`;

export const JOIN_PARTY = /* GraphQL */ `
  mutation JoinParty($id: ID!) {
    joinParty(id: $id) { ...PartyFields }
  }
  ${PARTY_FIELDS}
`;

export const LEAVE_PARTY = /* GraphQL */ `
  mutation LeaveParty($id: ID!, $playerId: ID) {
    leaveParty(id: $id, playerId: $playerId) { ...PartyFields }
  }
  ${PARTY_FIELDS}
`;

export const PARTY = /* GraphQL */ `
  query Party($id: ID!) {
    party(id: $id) { ...PartyFields }
  }
  ${PARTY_FIELDS}
`;

export const PARTY_CHANGED = /* GraphQL */ `
  subscription PartyChanged($id: ID!) {
    partyChanged(id: $id) { kind partyId version party { members { playerId } game { id } } }
  }
`;

const MATCH_GAME_FIELDS = /* GraphQL */ `
  fragment MatchGameFields on Game {
    id
    gameType { id }
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
  mutation JoinGameByCode($code: String!, $partyId: ID) {
    joinGameByCode(code: $code, partyId: $partyId) { ...MatchGameFields }
  }
  ${MATCH_GAME_FIELDS}
`;

export const JOIN_WITH_PARTY = /* GraphQL */ `
  mutation JoinWithParty($id: ID!, $joinCode: String, $partyId: ID) {
    joinGame(id: $id, joinCode: $joinCode, partyId: $partyId) { ...MatchGameFields }
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
