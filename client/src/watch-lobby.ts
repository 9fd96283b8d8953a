import type { MatchmakerError } from "./errors.js";
import type { GameChangedSubscription, GameFilter, LobbyGameFragment } from "./generated/graphql.js";
import { matchesFilter } from "./lobby-filter.js";
import type { MatchmakerClient } from "./client.js";

export interface LobbyOptions {
  gameType: string;
  /** As for `games(filter)`; its gameType is this lobby's. */
  filter?: Omit<GameFilter, "gameType">;
  /** Most games held (the first page of `games`), 1 … 100; default 100. */
  first?: number;
  /** Errors of the subscription or of a resync; the lobby keeps what it has. */
  onError?: (err: MatchmakerError) => void;
}

export interface Lobby {
  /** The games now, newest first. */
  games(): LobbyGameFragment[];
  /** false until the first snapshot arrived. */
  readonly ready: boolean;
  /** Fetches `games(filter)` again and merges it by version (newer wins). Done after every reconnect. */
  resync(): Promise<void>;
  stop(): void;
}

type Change = GameChangedSubscription["gameChanged"];

/**
 * Keeps a lobby current: subscribes to the type's changes first, then loads the snapshot, and
 * merges both by `version` — a change older than what is held is dropped, so it does not
 * matter which arrives first. A change that makes a game leave the filter removes it.
 * The server may start delivering a moment after the subscribe message; one resync right
 * after the first snapshot closes that gap, and every reconnect resyncs again.
 */
export function watchLobby(client: MatchmakerClient, opts: LobbyOptions, onChange: (lobby: Lobby) => void): Lobby {
  const filter: GameFilter = { ...opts.filter, gameType: opts.gameType };
  const first = Math.min(Math.max(opts.first ?? 100, 1), 100);
  const held = new Map<string, LobbyGameFragment>();
  // Highest version seen per game, deletions included, so a late older message cannot resurrect a game.
  const seen = new Map<string, number>();
  let ready = false;
  let stopped = false;
  let followUp: ReturnType<typeof setTimeout> | undefined;

  const emit = () => {
    if (!stopped) onChange(lobby);
  };
  const newer = (id: string, version: number) => version > (seen.get(id) ?? 0);

  const apply = (c: Change): boolean => {
    if (!newer(c.gameId, c.version)) return false;
    seen.set(c.gameId, c.version);
    if (c.game && matchesFilter(c.game, filter)) held.set(c.gameId, c.game);
    else held.delete(c.gameId);
    return true;
  };

  const resync = async () => {
    const before = new Map(seen);
    try {
      const page = await client.games({ filter, first });
      const listed = new Set<string>();
      for (const { node } of page.edges) {
        listed.add(node.id);
        // Only as new or newer than what is held: a change may have overtaken the snapshot.
        if (node.version < (seen.get(node.id) ?? 0)) continue;
        seen.set(node.id, node.version);
        held.set(node.id, node);
      }
      // A held game a complete snapshot no longer lists left the filter unseen (a change lost
      // during a disconnect) — unless a change of it arrived while the snapshot was in flight.
      if (!page.pageInfo.hasNextPage) {
        for (const id of [...held.keys()]) if (!listed.has(id) && seen.get(id) === before.get(id)) held.delete(id);
      }
      ready = true;
      emit();
    } catch (err) {
      opts.onError?.(err as MatchmakerError);
    }
  };

  const unsubscribe = client.gameChanged(
    { gameType: opts.gameType },
    {
      next: (c) => {
        if (apply(c) && ready) emit();
      },
      error: (err) => opts.onError?.(err),
    },
  );
  const offReconnect = client.onReconnect(() => void resync());

  const lobby: Lobby = {
    games: () => [...held.values()].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0)),
    get ready() {
      return ready;
    },
    resync,
    stop() {
      stopped = true;
      clearTimeout(followUp);
      unsubscribe();
      offReconnect();
    },
  };
  void resync().then(() => {
    if (!stopped) followUp = setTimeout(() => void resync(), 1_000);
  });
  return lobby;
}
