import type { LobbyGameFragment } from "@matchmaker/client";
import { formatTime, labelText, shortId, STATE_LABEL } from "../format.js";

export interface GameActions {
  /** The token's player id, or null when anonymous. */
  me: string | null;
  /** An action is running: buttons wait for it. */
  busy: boolean;
  /** Resolve with the game as the action left it (null: removed), undefined when refused (the page shows why). */
  join(id: string): Promise<unknown>;
  leave(id: string): Promise<unknown>;
}

export const isSeated = (game: LobbyGameFragment, me: string | null) => me !== null && game.seats.some((s) => s.player.id === me);
export const takesPlayers = (game: LobbyGameFragment) => (game.state === "OPEN" || game.state === "CREATED") && game.freeSeats > 0;

/** Join or Leave, as fits the player and the game. */
export function SeatButton(props: { game: LobbyGameFragment; actions: GameActions; where: string; onJoin?: () => void; onLeave?: () => void }) {
  const { game, actions } = props;
  if (isSeated(game, actions.me)) {
    return (
      <button type="button" data-testid={`${props.where}leave-${game.id}`} disabled={actions.busy} onClick={props.onLeave ?? (() => void actions.leave(game.id))}>
        Leave
      </button>
    );
  }
  const why = actions.me === null ? "Paste a token to join" : takesPlayers(game) ? undefined : "This game takes no players now";
  return (
    <button type="button" class="primary" data-testid={`${props.where}join-${game.id}`} disabled={actions.busy || why !== undefined} title={why} onClick={props.onJoin ?? (() => void actions.join(game.id))}>
      Join
    </button>
  );
}

export function Seats(props: { game: LobbyGameFragment }) {
  const { game } = props;
  return (
    <ol class="seats" aria-label={`${game.capacity - game.freeSeats} of ${game.capacity} seats taken`}>
      {game.seats.map((s) => (
        <li key={s.player.id} class={s.confirmed ? "confirmed" : "reserved"} data-testid="seat" data-player={s.player.id}>
          {s.player.name}
          {s.player.id === game.creator.id && <span title="host" aria-label="(host)"> ★</span>}
          {s.confirmed ? <span class="mark" title="confirmed by the game server" aria-label="(confirmed)"> ✓</span> : <span class="mark muted" title="seat reserved, not confirmed yet" aria-label="(not confirmed)"> …</span>}
        </li>
      ))}
      {Array.from({ length: game.freeSeats }, (_, i) => (
        <li key={`free-${i}`} class="free" aria-hidden="true">
          free
        </li>
      ))}
    </ol>
  );
}

/** The open games of one type, live: each row moves when gameChanged says so. */
export function GameList(props: { games: LobbyGameFragment[]; ready: boolean; selectedId: string | null; actions: GameActions; onOpen: (id: string) => void }) {
  if (!props.ready) {
    return (
      <p class="empty" data-testid="game-list-loading" aria-busy="true">
        Loading games…
      </p>
    );
  }
  return (
    <>
      <p class="count" data-testid="game-count">
        {props.games.length === 0 ? "No game matches." : props.games.length === 1 ? "1 game" : `${props.games.length} games`}
      </p>
      <ul class="games" data-testid="game-list" data-ready="true" aria-live="polite" aria-relevant="additions removals" aria-label="Games">
        {props.games.map((g) => (
          <li
            key={g.id}
            class={`game${g.id === props.selectedId ? " selected" : ""}`}
            data-testid={`game-${g.id}`}
            data-state={g.state}
            data-version={g.version}
            data-free-seats={g.freeSeats}
          >
            <div class="game-head">
              <button type="button" class="link game-open" onClick={() => props.onOpen(g.id)} aria-label={`Details of game ${shortId(g.id)}`} data-testid={`open-${g.id}`}>
                {shortId(g.id)}
              </button>
              <span class={`state ${g.state.toLowerCase()}`} data-testid="state">
                {STATE_LABEL[g.state]}
              </span>
              <span class="seats-count" data-testid="seats-count">
                {g.capacity - g.freeSeats}/{g.capacity} seats · {g.freeSeats} free
              </span>
              {g.region && (
                <span class="region" data-testid="region">
                  {g.region}
                </span>
              )}
              <span class="version muted" title="version: bumped by 1 on every change">
                v{g.version}
              </span>
              <span class="grow" />
              <SeatButton game={g} actions={props.actions} where="" />
            </div>
            <Seats game={g} />
            <div class="game-foot">
              {Object.entries((g.labels ?? {}) as Record<string, unknown>).map(([k, v]) => (
                <span class="chip" key={k} data-testid={`label-${k}`}>
                  {k}={labelText(v)}
                </span>
              ))}
              <span class="muted">
                created <time dateTime={g.createdAt}>{formatTime(g.createdAt)}</time> by {g.creator.name}
              </span>
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}
