import type { PubSubEngine } from "graphql-subscriptions";
import { ChangeKind, type GameChangeRecord, type GameState, Visibility } from "../domain/game.js";

/** The topic names, built here only: one per game and one per game type, never one global channel. */
export function topics(prefix: string) {
  return {
    game: (gameId: string) => `${prefix}:changes:game:${gameId}`,
    gameType: (gameType: string) => `${prefix}:changes:type:${gameType}`,
  };
}

export interface ChangeBus {
  /**
   * Publishes one change on the game's topic, and on its type's topic unless the game
   * is private (private games never reach lobby watchers). Rejects when the backend
   * cannot be reached; the change itself is already stored by then.
   */
  publish(change: GameChangeRecord): Promise<void>;
  /** Every change on any of the topics, as plain JSON (times in epoch ms). */
  subscribe(topicNames: string[]): AsyncIterableIterator<GameChangeRecord>;
  readonly topics: ReturnType<typeof topics>;
  /** Live watchers of a topic in this process (a gauge for metrics, and a sync point for tests). */
  localSubscribers(topic: string): number;
  close(): Promise<void>;
}

export interface ChangeBusDeps {
  engine: PubSubEngine;
  prefix: string;
  /** Releases what the engine holds (connections); called once. */
  onClose?: () => Promise<void>;
}

export function createChangeBus({ engine, prefix, onClose }: ChangeBusDeps): ChangeBus {
  const t = topics(prefix);
  let closing: Promise<void> | null = null;
  const watchers = new Map<string, number>();
  const count = (names: string[], delta: number) => {
    for (const n of names) watchers.set(n, (watchers.get(n) ?? 0) + delta);
  };
  return {
    topics: t,
    localSubscribers: (topic) => watchers.get(topic) ?? 0,
    async publish(change) {
      const sends = [engine.publish(t.game(change.gameId), change)];
      if (change.game.visibility !== Visibility.PRIVATE) sends.push(engine.publish(t.gameType(change.gameType), change));
      await Promise.all(sends);
    },
    subscribe(topicNames) {
      const source = engine.asyncIterableIterator<GameChangeRecord>(topicNames) as AsyncIterableIterator<GameChangeRecord>;
      count(topicNames, 1);
      let ended = false;
      const end = () => {
        if (!ended) count(topicNames, -1);
        ended = true;
      };
      return {
        next: () => source.next(),
        return: (v?: unknown) => {
          end();
          return source.return?.(v) ?? Promise.resolve({ done: true as const, value: undefined });
        },
        throw: (e?: unknown) => {
          end();
          return source.throw?.(e) ?? Promise.reject(e);
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
    },
    close() {
      closing ??= onClose ? onClose() : Promise.resolve();
      return closing;
    },
  };
}

/** Subscription filter on states: a change passes when the game is in, or just left, one of them. */
export function changeMatchesStates(change: GameChangeRecord, states: readonly GameState[] | null | undefined): boolean {
  if (!states || states.length === 0) return true;
  if (change.kind === ChangeKind.DELETED) return true;
  return states.includes(change.game.state) || (change.previousState != null && states.includes(change.previousState));
}
