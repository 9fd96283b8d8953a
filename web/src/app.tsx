import {
  createMatchmakerClient,
  type CreateGameInput,
  type LobbyGameFragment,
  type MatchmakerClient,
  MatchmakerError,
  type PlayerGameFragment,
} from "@matchmaker/client";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { CreateGameForm, type GameTypeInfo } from "./components/create-game.js";
import { FilterPanel } from "./components/filter-panel.js";
import { GameDetail, type DetailActions } from "./components/game-detail.js";
import { GameList } from "./components/game-list.js";
import { QueuesPanel } from "./components/queues.js";
import { type ConnectionStatus, ErrorBanner, Notice, type ShownError, StatusBadge } from "./components/status.js";
import { TokenBox } from "./components/token-box.js";
import { activeParts, emptyFilter, type FilterForm, type FilterProblem, toGameFilter, toQuickJoin } from "./filter.js";
import { shortId } from "./format.js";
import { asMatchmakerError, isConnectionError, useHashRoute, useLobby } from "./hooks.js";
import { decodeToken, loadToken, saveToken } from "./token.js";

/** The server's `/web-config.json`: which pages are on, where GraphQL is. */
interface WebConfig {
  graphqlPath: string;
  lobby: boolean;
  graphiql: boolean;
}

const GRAPHQL_PATH = "/graphql";

interface PageClient {
  client: MatchmakerClient;
  dispose(): void;
}

/** One typed client per token (its socket authenticates once, when it connects), reporting the socket's state. */
function pageClient(token: string, onStatus: (s: ConnectionStatus) => void): PageClient {
  let disposed = false;
  let connected = false;
  const report = (s: ConnectionStatus) => {
    if (!disposed) onStatus(s);
  };
  const client = createMatchmakerClient({
    url: GRAPHQL_PATH,
    token: token || null,
    ws: {
      on: {
        connecting: () => report(connected ? "reconnecting" : "connecting"),
        connected: () => {
          connected = true;
          report("live");
        },
        closed: () => {
          if (connected) report("reconnecting");
        },
      },
    },
  });
  return {
    client,
    dispose() {
      disposed = true;
      void client.close();
    },
  };
}

/** What the lobby shows of a game, in the shape actions answer with (no server access, no code). */
const asPlayerGame = (g: LobbyGameFragment): PlayerGameFragment => ({ joinCode: null, server: null, ...g });

interface AppliedFilter {
  form: FilterForm;
  filter: ReturnType<typeof toGameFilter>["filter"];
}

export function App() {
  const [config, setConfig] = useState<WebConfig | null>(null);
  const [token, setToken] = useState(loadToken);
  const [generation, setGeneration] = useState(0);
  const [status, setStatus] = useState<ConnectionStatus>("connecting");
  const [types, setTypes] = useState<GameTypeInfo[] | null>(null);
  const [applied, setApplied] = useState<Record<string, AppliedFilter>>({});
  const [problems, setProblems] = useState<FilterProblem[]>([]);
  const [error, setError] = useState<ShownError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [creating, setCreating] = useState(false);
  const [code, setCode] = useState("");
  const [route, navigate] = useHashRoute();
  const seeds = useRef(new Map<string, PlayerGameFragment>());

  const page = useMemo(() => pageClient(token, setStatus), [token, generation]);
  const client = page.client;
  useEffect(() => {
    setStatus("connecting");
    return () => page.dispose();
  }, [page]);

  const showError = (what: string, err: unknown) => {
    setNotice(null);
    setError({ what, error: asMatchmakerError(err) });
  };

  useEffect(() => {
    fetch("/web-config.json", { headers: { accept: "application/json" } })
      .then((r) => (r.ok ? (r.json() as Promise<WebConfig>) : null))
      .then(setConfig, () => setConfig(null));
  }, []);

  useEffect(() => {
    let current = true;
    client.gameTypes().then(
      (t) => current && setTypes(t),
      (e: unknown) => current && showError("Loading the game types", e),
    );
    return () => {
      current = false;
    };
  }, [client]);

  const type = types?.find((t) => t.id === route.gameType) ?? types?.[0] ?? null;
  const current = (type && applied[type.id]) || { form: emptyFilter(), filter: {} };
  const me = useMemo(() => {
    const info = token ? decodeToken(token) : null;
    return info?.ok ? info.sub : null;
  }, [token]);

  const lobby = useLobby(client, type?.id ?? null, current.filter, (e) => {
    if (isConnectionError(e)) setStatus("offline");
    showError("Live updates", e);
  });

  /** Runs one action: its refusal is shown with its code, its success said in the notice. */
  const run = async <T,>(what: string, action: () => Promise<T>, said: (r: T) => string): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      const r = await action();
      setNotice(said(r));
      return r;
    } catch (e) {
      showError(what, e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };

  const open = (game: PlayerGameFragment) => {
    seeds.current.set(game.id, game);
    navigate({ gameType: game.gameType.id, gameId: game.id });
  };

  const actions: DetailActions = {
    me,
    busy,
    join: async (id) => {
      const g = await run("Join", () => client.joinGame(id), (g) => `You joined game ${shortId(g.id)}.`);
      if (g) open(g);
      return g;
    },
    leave: async (id) => {
      const g = await run(
        "Leave",
        () => client.leaveGame(id),
        (g) => (g ? `You left game ${shortId(id)}.` : `You left game ${shortId(id)}; as its host you closed it.`),
      );
      return g === undefined ? undefined : g && asPlayerGame(g);
    },
    remove: async (id) => (await run("Delete", () => client.deleteGame(id), () => `Game ${shortId(id)} is deleted.`)) === true,
  };

  const quickJoin = async () => {
    if (!type) return;
    const q = toQuickJoin(type.id, current.filter);
    if ("problem" in q) return showError("Quick join", new MatchmakerError("INVALID_FILTER", q.problem));
    const g = await run("Quick join", () => client.quickJoin(q.input), (g) => `Quick join seated you in game ${shortId(g.id)}.`);
    if (g) open(g);
  };

  const create = async (input: CreateGameInput) => {
    const g = await run("Create game", () => client.createGame(input), (g) => `Created game ${shortId(g.id)}${g.joinCode ? ` (join code ${g.joinCode})` : ""}.`);
    if (g) open(g);
    return g !== undefined;
  };

  const joinByCode = async (e: Event) => {
    e.preventDefault();
    const g = await run("Join by code", () => client.joinGameByCode(code), (g) => `You joined game ${shortId(g.id)}.`);
    if (g) {
      setCode("");
      open(g);
    }
  };

  const applyFilter = (form: FilterForm) => {
    if (!type) return;
    const r = toGameFilter(form, type.labels);
    setProblems(r.problems);
    if (r.problems.length === 0) setApplied({ ...applied, [type.id]: { form, filter: r.filter } });
  };

  const selectType = (id: string) => {
    setCreating(false);
    setProblems([]);
    navigate({ gameType: id, gameId: null });
  };

  const onTabKey = (e: KeyboardEvent) => {
    if (!types || !type || (e.key !== "ArrowRight" && e.key !== "ArrowLeft" && e.key !== "Home" && e.key !== "End")) return;
    e.preventDefault();
    const i = types.indexOf(type);
    const next = e.key === "Home" ? 0 : e.key === "End" ? types.length - 1 : (i + (e.key === "ArrowRight" ? 1 : -1) + types.length) % types.length;
    selectType(types[next]!.id);
    document.getElementById(`tab-${types[next]!.id}`)?.focus();
  };

  const anonymous = me === null;
  const parts = activeParts(current.filter);

  return (
    <div class="page">
      <header class="top">
        <h1>
          Matchmaker <span class="muted">lobbies</span>
        </h1>
        <StatusBadge status={status} onReconnect={() => setGeneration(generation + 1)} />
        <span class="grow" />
        <nav aria-label="Tools">
          {config?.graphiql && (
            <a href="/graphiql" data-testid="graphiql-link">
              GraphiQL
            </a>
          )}
        </nav>
      </header>

      <TokenBox
        token={token}
        onChange={(t) => {
          saveToken(t);
          setToken(t);
          setError(null);
          setNotice(t ? "Token saved; live updates reconnect with it." : "Token forgotten: watching anonymously.");
        }}
      />
      <ErrorBanner shown={error} onDismiss={() => setError(null)} />
      <Notice text={notice} />

      {types === null && <p class="muted">Loading game types…</p>}
      {types?.length === 0 && <p class="empty">The catalog has no game types.</p>}
      {types && type && (
        <>
          <div role="tablist" aria-label="Game types" class="tabs" onKeyDown={onTabKey}>
            {types.map((t) => (
              <button
                key={t.id}
                type="button"
                role="tab"
                id={`tab-${t.id}`}
                data-testid={`tab-${t.id}`}
                aria-selected={t.id === type.id}
                aria-controls={`panel-${t.id}`}
                tabIndex={t.id === type.id ? 0 : -1}
                onClick={() => selectType(t.id)}
              >
                {t.name}
              </button>
            ))}
          </div>

          <div role="tabpanel" id={`panel-${type.id}`} aria-labelledby={`tab-${type.id}`} class="panel" data-testid="panel" data-game-type={type.id}>
            <p class="type-desc">
              {type.description && <span>{type.description} </span>}
              <span class="muted">
                {type.minPlayers}–{type.maxPlayers} players
                {type.regions.length > 0 && ` · regions ${type.regions.join(", ")}`}
                {type.hasGameServer && " · hosted on a game server (games wait for their host)"}
              </span>
            </p>

            <div class="toolbar">
              <button type="button" class="primary" data-testid="create-open" aria-expanded={creating} disabled={anonymous} title={anonymous ? "Paste a token to play" : undefined} onClick={() => setCreating(!creating)}>
                Create game…
              </button>
              <button
                type="button"
                data-testid="quick-join"
                disabled={anonymous || busy}
                title={anonymous ? "Paste a token to play" : "Seats you in the best open game that matches the filter, or creates one"}
                onClick={() => void quickJoin()}
              >
                Quick join
              </button>
              <form class="row" onSubmit={joinByCode} aria-label="Join a private game by its code">
                <label for="join-code" class="visually-hidden">
                  Join code
                </label>
                <input id="join-code" data-testid="join-code" type="text" size={8} placeholder="code" value={code} onInput={(e) => setCode((e.target as HTMLInputElement).value)} />
                <button type="submit" data-testid="join-by-code" disabled={anonymous || busy || code.trim() === ""}>
                  Join by code
                </button>
              </form>
            </div>

            {creating && (
              <CreateGameForm
                key={type.id}
                type={type}
                busy={busy}
                onCreate={create}
                onInvalid={(m) => showError("Create game", new MatchmakerError("INVALID_FORM", m))}
                onCancel={() => setCreating(false)}
              />
            )}

            <div class={`layout${route.gameId ? " with-detail" : ""}`}>
              <div class="side">
                <details class="filter-box" open>
                  <summary>
                    Filters{parts > 0 && <span class="chip">{parts} active</span>}
                  </summary>
                  <FilterPanel key={type.id} type={type} applied={current.form} problems={problems} onApply={applyFilter} />
                </details>
                <QueuesPanel client={client} gameType={type.id} />
              </div>

              <section class="list" aria-label={`${type.name} games`}>
                <GameList
                  games={lobby.games}
                  ready={lobby.ready}
                  selectedId={route.gameId}
                  actions={actions}
                  onOpen={(id) => {
                    const g = lobby.games.find((x) => x.id === id);
                    if (g) seeds.current.set(id, asPlayerGame(g));
                    navigate({ gameType: type.id, gameId: id });
                  }}
                />
              </section>

              {route.gameId && (
                <GameDetail
                  key={`${route.gameId}:${token}:${generation}`}
                  client={client}
                  id={route.gameId}
                  seed={seeds.current.get(route.gameId)}
                  actions={actions}
                  onClose={() => navigate({ gameType: type.id, gameId: null })}
                  onError={(e) => showError("Game details", e)}
                />
              )}
            </div>
          </div>
        </>
      )}
    </div>
  );
}
