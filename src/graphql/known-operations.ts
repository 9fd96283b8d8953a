/**
 * Operation names that may appear as metric labels as they are: the operations this project
 * documents and ships (its examples and tests use these names), plus those an operator lists
 * in METRICS_OPERATION_NAMES. Any other name a client sends is counted as "other": a
 * client-chosen string never becomes a label value.
 */
export const SHIPPED_OPERATION_NAMES: readonly string[] = [
  "GameTypes",
  "GameType",
  "Game",
  "Games",
  "SearchGames",
  "CreateGame",
  "JoinGame",
  "JoinGameByCode",
  "JoinWithParty",
  "CreateParty",
  "JoinParty",
  "LeaveParty",
  "Party",
  "PartyChanged",
  "LeaveGame",
  "LeaveAndSee",
  "UpdateGame",
  "DeleteGame",
  "QuickJoin",
  "GameTypePolicies",
  "GameChanged",
  "MatchGameChanged",
  "ReportGameEvents",
  "MatchQueues",
  "EnqueueMatchTicket",
  "CancelMatchTicket",
  "MatchTicket",
  "MatchTicketChanged",
];
