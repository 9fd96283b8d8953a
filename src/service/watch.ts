import { type ChangeBus, changeMatchesStates } from "../bus/change-bus.js";
import { LISTEN, type Watcher } from "../bus/watcher.js";
import { ErrorCode, MatchmakerError } from "../domain/errors.js";
import type { GameChangeMessage, GameState } from "../domain/game.js";
import type { Catalog } from "../domain/game-type.js";
import { parseGameId } from "../domain/ids.js";

export interface WatchParams {
  id?: string | null;
  gameType?: string | null;
  states?: GameState[] | null;
}

/**
 * Picks the narrowest topics for a watcher (one game, one type, or every type) and
 * filters by state; watchers of a type do not see hosted games before their host connected. Throws BAD_USER_INPUT / UNKNOWN_GAME_TYPE before subscribing.
 */
export function watchChanges(bus: ChangeBus, catalog: Catalog, p: WatchParams): Watcher<GameChangeMessage> {
  let topicNames: string[];
  if (p.id) {
    const ref = parseGameId(p.id);
    if (p.gameType && p.gameType !== ref.gameType) return emptyIterator();
    topicNames = [bus.topics.game(ref.id)];
  } else if (p.gameType) {
    if (!catalog.get(p.gameType)) {
      throw new MatchmakerError(ErrorCode.UNKNOWN_GAME_TYPE, `Unknown game type "${p.gameType}".`);
    }
    topicNames = [bus.topics.gameType(p.gameType)];
  } else {
    topicNames = catalog.types.map((t) => bus.topics.gameType(t.id));
  }
  const source = bus.subscribe(topicNames);
  // A lobby watcher (by type) sees a hosted game once its host connected, as the lobby lists it;
  // a watcher of one game's id sees every change of it.
  const inLobby = (c: GameChangeMessage) => p.id != null || c.game === null || c.game.hostConnected;
  return filterIterator(source, (c) => inLobby(c) && changeMatchesStates(c, p.states));
}

/** Keeps return() and listening wired through, so an ended subscription unsubscribes from the bus. */
export function filterIterator<T>(source: Watcher<T>, keep: (v: T) => boolean): Watcher<T> {
  return {
    [LISTEN]: (onMessage, onEnd) => source[LISTEN]((v) => keep(v) && onMessage(v), onEnd),
    async next() {
      for (;;) {
        const r = await source.next();
        if (r.done || keep(r.value)) return r;
      }
    },
    return: () => source.return(),
    throw: (e?: unknown) => source.throw(e),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function emptyIterator<T>(): Watcher<T> {
  return {
    next: async () => ({ done: true, value: undefined }),
    return: async () => ({ done: true, value: undefined }),
    throw: async (e?: unknown) => Promise.reject(e),
    [LISTEN]: (_onMessage, onEnd) => onEnd(),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
