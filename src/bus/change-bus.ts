import type { PubSubEngine } from "graphql-subscriptions";
import { ChangeKind, type GameChangeMessage, type GameChangeRecord, type GameState, Visibility } from "../domain/game.js";
import type { PartyRecord } from "../domain/party.js";
import type { TicketChange } from "../domain/tickets/ticket-record.js";
import { type BusWatcher, createWatcher, LISTEN } from "./watcher.js";

/** One change of a party, as its members' subscriptions get it. */
export interface PartyChangeMessage {
  kind: ChangeKind;
  partyId: string;
  version: number;
  /** null once the last member left. */
  party: PartyRecord | null;
  /** Who was a member before the change (a member who left or was removed sees that change, then nothing more). */
  previousMemberIds: string[];
}

/** The topic names, built here only: one per game and one per game type, never one global channel. */
export function topics(prefix: string) {
  return {
    game: (gameId: string) => `${prefix}:changes:game:${gameId}`,
    gameType: (gameType: string) => `${prefix}:changes:type:${gameType}`,
    party: (partyId: string) => `${prefix}:changes:party:${partyId}`,
    ticket: (ticketId: string) => `${prefix}:changes:ticket:${ticketId}`,
  };
}

export interface ChangeBus {
  /**
   * Publishes one change on the game's topic, and on its type's topic unless the game
   * is private (private games never reach lobby watchers). When the change made a public
   * game private, the type's topic gets a {@link leftLobby} notice instead, so lobby
   * watchers drop it. Rejects when the backend cannot be reached; the change itself is
   * already stored by then.
   */
  publish(change: GameChangeRecord): Promise<void>;
  /** Publishes one change of a party on its topic (its members watch it). */
  publishParty(change: PartyChangeMessage): Promise<void>;
  /** Publishes a matchmaking ticket's change on the ticket's topic. */
  publishTicket(change: TicketChange): Promise<void>;
  /** Every message on any of the topics, as plain JSON (times in epoch ms); pulled, or pushed once listened to. */
  subscribe<T = GameChangeMessage>(topicNames: string[]): BusWatcher<T>;
  readonly topics: ReturnType<typeof topics>;
  /** Live watchers of a topic in this process (a gauge for metrics, and a sync point for tests). */
  localSubscribers(topic: string): number;
  /** How many topics have live watchers in this process: bounded by the watchers, never by every topic ever watched. */
  watchedTopics(): number;
  close(): Promise<void>;
}

export interface ChangeBusDeps {
  engine: PubSubEngine;
  prefix: string;
  /** Sends one change to several topics; defaults to engine.publish per topic. */
  send?: (topicNames: string[], message: GameChangeMessage | PartyChangeMessage | TicketChange) => Promise<unknown>;
  /** Releases what the engine holds (connections); called once. */
  onClose?: () => Promise<void>;
}

export function createChangeBus({ engine, prefix, onClose, send }: ChangeBusDeps): ChangeBus {
  const deliver = send ?? ((names: string[], message: GameChangeMessage | PartyChangeMessage | TicketChange) => Promise.all(names.map((n) => engine.publish(n, message))));
  const t = topics(prefix);
  let closing: Promise<void> | null = null;
  const watchers = new Map<string, number>();
  const open = new Set<AsyncIterableIterator<unknown>>();
  const unsubscribing = new Set<Promise<unknown>>();
  const count = (names: string[], delta: number) => {
    for (const n of names) {
      const left = (watchers.get(n) ?? 0) + delta;
      // Every game, ticket and party ever watched would stay a key otherwise.
      if (left === 0) watchers.delete(n);
      else watchers.set(n, left);
    }
  };
  return {
    topics: t,
    localSubscribers: (topic) => watchers.get(topic) ?? 0,
    watchedTopics: () => watchers.size,
    async publish(change) {
      const names = [t.game(change.gameId)];
      if (change.game.visibility !== Visibility.PRIVATE) names.push(t.gameType(change.gameType));
      const sent = deliver(names, change);
      if (change.game.visibility === Visibility.PRIVATE && change.previousVisibility === Visibility.PUBLIC) {
        await Promise.all([sent, deliver([t.gameType(change.gameType)], leftLobby(change))]);
      } else {
        await sent;
      }
    },
    async publishParty(change) {
      await deliver([t.party(change.partyId)], change);
    },
    async publishTicket(change) {
      await deliver([t.ticket(change.ticket.id)], change);
    },
    subscribe<T>(topicNames: string[]) {
      const source = createWatcher<T>(engine, topicNames);
      count(topicNames, 1);
      let ended: Promise<IteratorResult<T>> | null = null;
      // Ending unsubscribes from the engine; close() waits for that before releasing connections.
      const end = (how: () => Promise<IteratorResult<T>> | undefined) => {
        if (!ended) {
          count(topicNames, -1);
          open.delete(watcher);
          ended = how() ?? Promise.resolve({ done: true, value: undefined });
          unsubscribing.add(ended);
          ended.catch(() => {}).finally(() => unsubscribing.delete(ended!));
        }
        return ended;
      };
      const watcher: BusWatcher<T> = {
        ready: source.ready,
        next: () => source.next(),
        return: () => end(() => source.return()),
        throw: (e?: unknown) => end(() => source.throw(e)),
        [LISTEN]: (onMessage, onEnd) => source[LISTEN](onMessage, onEnd),
        [Symbol.asyncIterator]() {
          return this;
        },
      };
      open.add(watcher);
      return watcher;
    },
    close() {
      closing ??= (async () => {
        await Promise.allSettled([...open].map((w) => w.return!()));
        await Promise.allSettled([...unsubscribing]);
        await onClose?.();
      })();
      return closing;
    },
  };
}

/**
 * The notice lobby watchers get when a public game turns private: to them it is gone, so
 * it reads as DELETED (at the change's version) and carries no game — nothing of a
 * private game reaches a type's topic. Watchers of the game's id get the change itself.
 * Never throws.
 */
export function leftLobby(change: GameChangeRecord): GameChangeMessage {
  const { kind: _kind, game: _game, previousVisibility: _visibility, ...rest } = change;
  return { ...rest, kind: ChangeKind.DELETED, game: null };
}

/** Subscription filter on states: a change passes when the game is in, or just left, one of them. */
export function changeMatchesStates(change: GameChangeMessage, states: readonly GameState[] | null | undefined): boolean {
  if (!states || states.length === 0) return true;
  if (change.kind === ChangeKind.DELETED || change.game === null) return true;
  return states.includes(change.game.state) || (change.previousState != null && states.includes(change.previousState));
}
