export { createMatchmakerClient, type ClientOptions, type MatchmakerClient } from "./client.js";
export { MatchmakerError, type GraphQLErrorLike } from "./errors.js";
export { matchesFilter } from "./lobby-filter.js";
export type { Lobby, LobbyOptions } from "./watch-lobby.js";
export type { Connectable, ConnectableOptions } from "./wait-connectable.js";
export type { FindOrQuickJoinOptions, JoinOutcome } from "./find-or-quick-join.js";
export type { FollowedTicket, FollowTicketOptions, TicketChange } from "./follow-ticket.js";
export type { Sink, TokenSource } from "./transport.js";
/** The typed documents (for Apollo Client, urql or `request`) and every schema type they use. */
export * from "./generated/graphql.js";
