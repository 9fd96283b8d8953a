import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { MatchmakerError } from "./errors.js";
import * as Ops from "./generated/graphql.js";
import { Transport, type Sink, type TransportOptions } from "./transport.js";
import { watchLobby, type Lobby, type LobbyOptions } from "./watch-lobby.js";
import { waitUntilConnectable, type ConnectableOptions } from "./wait-connectable.js";
import { findOrQuickJoin, type FindOrQuickJoinOptions, type JoinOutcome } from "./find-or-quick-join.js";
import { followTicket, type FollowedTicket, type FollowTicketOptions, type TicketChange } from "./follow-ticket.js";

export type ClientOptions = TransportOptions;

/**
 * A typed client of the Matchmaker API: every shipped operation as a method (HTTP for queries
 * and mutations, one graphql-ws socket for subscriptions), `request`/`subscribe` for your own
 * typed documents, and the helpers for the common flows.
 */
export function createMatchmakerClient(options: ClientOptions) {
  const t = new Transport(options);
  const client = {
    request: <TData, TVars>(doc: TypedDocumentNode<TData, TVars>, variables?: TVars) => t.request(doc, variables),
    subscribe: <TData, TVars>(doc: TypedDocumentNode<TData, TVars>, variables: TVars | undefined, sink: Sink<TData>) =>
      t.subscribe(doc, variables, sink),
    /** Runs `listener` whenever the subscription socket connects again after a loss. */
    onReconnect: (listener: () => void) => t.onReconnect(listener),

    gameTypes: async () => (await t.request(Ops.GameTypesDocument)).gameTypes,
    /** A game type's ticket matchmaking queues, with how many search in each now ([] for an unknown type). */
    matchQueues: async (gameType: string) => (await t.request(Ops.MatchQueuesDocument, { gameType })).gameType?.queues ?? [],
    game: async (id: string) => (await t.request(Ops.GameDocument, { id })).game,
    games: async (v: Ops.GamesQueryVariables = {}) => (await t.request(Ops.GamesDocument, v)).games,
    createGame: async (input: Ops.CreateGameInput) => (await t.request(Ops.CreateGameDocument, { input })).createGame,
    joinGame: async (id: string, opts: { joinCode?: string; partyId?: string } = {}) =>
      (await t.request(Ops.JoinGameDocument, { id, ...opts })).joinGame,
    joinGameByCode: async (code: string, partyId?: string) => (await t.request(Ops.JoinGameByCodeDocument, { code, partyId })).joinGameByCode,
    quickJoin: async (input: Ops.QuickJoinInput) => (await t.request(Ops.QuickJoinDocument, { input })).quickJoin,
    leaveGame: async (id: string) => (await t.request(Ops.LeaveGameDocument, { id })).leaveGame,
    updateGame: async (id: string, input: Ops.UpdateGameInput) => (await t.request(Ops.UpdateGameDocument, { id, input })).updateGame,
    deleteGame: async (id: string) => (await t.request(Ops.DeleteGameDocument, { id })).deleteGame,
    createParty: async (gameType: string, maxSize?: number) => (await t.request(Ops.CreatePartyDocument, { gameType, maxSize })).createParty,
    joinParty: async (id: string) => (await t.request(Ops.JoinPartyDocument, { id })).joinParty,
    leaveParty: async (id: string, playerId?: string) => (await t.request(Ops.LeavePartyDocument, { id, playerId })).leaveParty,
    party: async (id: string) => (await t.request(Ops.PartyDocument, { id })).party,
    /** Starts searching for fair opponents in a queue, for the caller or the party they lead (partyId). */
    enqueueMatchTicket: async (input: Ops.EnqueueMatchTicketInput) => (await t.request(Ops.EnqueueMatchTicketDocument, { input })).enqueueMatchTicket,
    /** Either wins (`cancelled: true`, nobody of the ticket is in a game) or answers with the outcome that stands. */
    cancelMatchTicket: async (id: string) => (await t.request(Ops.CancelMatchTicketDocument, { id })).cancelMatchTicket,
    matchTicket: async (id: string) => (await t.request(Ops.MatchTicketDocument, { id })).matchTicket,
    /** Every change of one game, of one type's public games, or of all public games. */
    gameChanged: (v: Ops.GameChangedSubscriptionVariables, sink: Sink<Ops.GameChangedSubscription["gameChanged"]>) =>
      t.subscribe(Ops.GameChangedDocument, v, { ...sink, next: (d) => sink.next(d.gameChanged) }),
    partyChanged: (id: string, sink: Sink<Ops.PartyChangedSubscription["partyChanged"]>) =>
      t.subscribe(Ops.PartyChangedDocument, { id }, { ...sink, next: (d) => sink.next(d.partyChanged) }),
    /** A ticket's changes after `afterVersion` (its current state first when newer), until it ends. */
    matchTicketChanged: (id: string, afterVersion: number | undefined, sink: Sink<TicketChange>) =>
      t.subscribe(Ops.MatchTicketChangedDocument, { id, afterVersion }, { ...sink, next: (d) => sink.next(d.matchTicketChanged) }),

    /** Joins `options.gameId` when it has room, else quickJoins a game like `input` describes. */
    findOrQuickJoin: (input: Ops.QuickJoinInput, opts?: FindOrQuickJoinOptions): Promise<JoinOutcome> => findOrQuickJoin(client, input, opts),
    /** A live lobby: the games `games(filter)` lists, kept current through gameChanged and resynced by version. */
    watchLobby: (opts: LobbyOptions, onChange: (lobby: Lobby) => void): Lobby => watchLobby(client, opts, onChange),
    /** Follows a ticket until it ends: each change once, across lost sockets; `outcome` resolves with how it ended. */
    followTicket: (id: string, onChange: (change: TicketChange) => void = () => {}, opts?: FollowTicketOptions): FollowedTicket =>
      followTicket(client, id, onChange, opts),
    /** Resolves with the game's server access once the caller may connect to its game server. */
    waitUntilConnectable: (gameId: string, opts?: ConnectableOptions) => waitUntilConnectable(client, gameId, opts),

    /** Closes the subscription socket (HTTP calls hold nothing open). */
    close: () => t.close(),
  };
  return client;
}

export type MatchmakerClient = ReturnType<typeof createMatchmakerClient>;
export { MatchmakerError };
