import type { GameFilter, LobbyGameFragment, MatchmakerClient, PlayerGameFragment } from "@matchmaker/client";
import { MatchmakerError } from "@matchmaker/client";
import { useEffect, useRef, useState } from "preact/hooks";

/** The page's place: `#/<gameType>` or `#/<gameType>/<gameId>`. */
export interface Route {
  gameType: string | null;
  gameId: string | null;
}

const parseHash = (hash: string): Route => {
  const [gameType, gameId] = hash.replace(/^#\/?/, "").split("/").map((p) => (p ? decodeURIComponent(p) : null));
  return { gameType: gameType ?? null, gameId: gameId ?? null };
};

export function useHashRoute(): [Route, (next: Route) => void] {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  const navigate = (next: Route) => {
    const hash = next.gameType ? `#/${encodeURIComponent(next.gameType)}${next.gameId ? `/${encodeURIComponent(next.gameId)}` : ""}` : "#/";
    if (location.hash !== hash) location.hash = hash;
    setRoute(next);
  };
  return [route, navigate];
}

/** Any failure as the page shows it: the matchmaker's `extensions.code` and message. */
export const asMatchmakerError = (err: unknown): MatchmakerError =>
  err instanceof MatchmakerError ? err : new MatchmakerError("CLIENT_ERROR", err instanceof Error ? err.message : String(err));

/** Socket-level failures (the subscription socket gave up), as opposed to a refused operation. */
export const isConnectionError = (err: MatchmakerError) =>
  err.code === "NETWORK_ERROR" || err.code.startsWith("WS_CLOSED_") || typeof err.extensions.closeCode === "number";

export interface LobbyState {
  games: LobbyGameFragment[];
  ready: boolean;
}

/**
 * The live lobby of one game type with one filter (the typed client's watchLobby: a snapshot
 * merged by version with gameChanged, resynced after reconnects). A new filter re-subscribes.
 */
export function useLobby(
  client: MatchmakerClient,
  gameType: string | null,
  filter: Omit<GameFilter, "gameType">,
  onError: (err: MatchmakerError) => void,
): LobbyState {
  const [state, setState] = useState<LobbyState>({ games: [], ready: false });
  const errorRef = useRef(onError);
  errorRef.current = onError;
  const filterKey = JSON.stringify(filter);
  useEffect(() => {
    setState({ games: [], ready: false });
    if (!gameType) return;
    const lobby = client.watchLobby({ gameType, filter: JSON.parse(filterKey), first: 100, onError: (e) => errorRef.current(e) }, (l) =>
      setState({ games: l.games(), ready: l.ready }),
    );
    return () => lobby.stop();
  }, [client, gameType, filterKey]);
  return state;
}

export interface GameState {
  game: PlayerGameFragment | null;
  /** true once game(id) answered or a change arrived. */
  loaded: boolean;
  /** The game was deleted (or never existed). */
  gone: boolean;
}

export interface WatchedGame extends GameState {
  /** Takes a game an action returned, if it is not older than the one shown (null: it was removed). */
  offer(game: PlayerGameFragment | null): void;
}

/**
 * One game, live: gameChanged(id) first, then game(id) once, merged by version (newer wins), so
 * a change cannot slip between the two. `server` and `joinCode` come resolved for the token.
 */
export function useGame(client: MatchmakerClient, id: string, seed: PlayerGameFragment | undefined, onError: (err: MatchmakerError) => void): WatchedGame {
  const [state, setState] = useState<GameState>({ game: seed ?? null, loaded: false, gone: false });
  // The highest version shown; a removed game is final.
  const version = useRef(seed?.version ?? 0);
  const errorRef = useRef(onError);
  errorRef.current = onError;
  useEffect(() => {
    let stopped = false;
    const unsubscribe = client.gameChanged(
      { id },
      {
        next: (c) => {
          if (stopped || c.version <= version.current) return;
          version.current = c.version;
          const game = c.kind === "DELETED" ? null : (c.game ?? null);
          setState({ game, loaded: true, gone: game === null });
        },
        error: (e) => errorRef.current(e),
      },
    );
    client.game(id).then(
      (g) => {
        if (stopped) return;
        if (g === null) {
          // Removed, or never there (ids are never reused): nothing more will come.
          version.current = Number.MAX_SAFE_INTEGER;
          setState({ game: null, loaded: true, gone: true });
        } else if (g.version >= version.current) {
          version.current = g.version;
          setState({ game: g, loaded: true, gone: false });
        }
      },
      (e: unknown) => {
        if (!stopped) errorRef.current(asMatchmakerError(e));
      },
    );
    return () => {
      stopped = true;
      unsubscribe();
    };
  }, [client, id]);
  return {
    ...state,
    offer(game) {
      if (game === null) {
        // leaveGame answers null when the creator's leaving removed the game: nothing follows.
        version.current = Number.MAX_SAFE_INTEGER;
        setState({ game: null, loaded: true, gone: true });
      } else if (game.version >= version.current) {
        version.current = game.version;
        setState({ game, loaded: true, gone: false });
      }
    },
  };
}
