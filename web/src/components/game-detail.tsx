import type { MatchmakerClient, MatchmakerError, PlayerGameFragment } from "@matchmaker/client";
import { formatTime, labelText, relative, shortId, STATE_LABEL } from "../format.js";
import { useGame } from "../hooks.js";
import { type GameActions, SeatButton } from "./game-list.js";

export interface DetailActions extends GameActions {
  join(id: string): Promise<PlayerGameFragment | undefined>;
  leave(id: string): Promise<PlayerGameFragment | null | undefined>;
  remove(id: string): Promise<boolean>;
}

const Time = (props: { iso: string | null | undefined; ago?: boolean }) =>
  props.iso ? (
    <time dateTime={props.iso} title={props.iso}>
      {formatTime(props.iso)}
      {props.ago && <span class="muted"> ({relative(Date.parse(props.iso))})</span>}
    </time>
  ) : (
    <span class="muted">—</span>
  );

/** One game, live, with what only its players see (server access) and its creator (join code). */
export function GameDetail(props: {
  client: MatchmakerClient;
  id: string;
  seed: PlayerGameFragment | undefined;
  actions: DetailActions;
  onClose: () => void;
  onError: (err: MatchmakerError) => void;
}) {
  const watched = useGame(props.client, props.id, props.seed, props.onError);
  const g = watched.game;
  const { actions } = props;

  return (
    <section class="detail" aria-labelledby="detail-heading" data-testid="game-detail" data-game-id={props.id} data-version={g?.version ?? ""}>
      <header class="detail-head">
        <h2 id="detail-heading">
          Game <code>{shortId(props.id)}</code>
        </h2>
        <button type="button" class="link" onClick={props.onClose} aria-label="Close the game's details" data-testid="detail-close">
          ✕
        </button>
      </header>
      {!watched.loaded && !g && <p class="muted">Loading…</p>}
      {watched.gone && (
        <p class="empty" data-testid="detail-gone">
          This game is gone: it was removed or has expired.
        </p>
      )}
      {g && !watched.gone && (
        <>
          <div class="row">
            <span class={`state ${g.state.toLowerCase()}`} data-testid="detail-state">
              {STATE_LABEL[g.state]}
            </span>
            <span data-testid="detail-seats">
              {g.capacity - g.freeSeats}/{g.capacity} seats · {g.freeSeats} free
            </span>
            <span class="grow" />
            <SeatButton
              game={g}
              actions={actions}
              where="detail-"
              onJoin={() => void actions.join(g.id).then((r) => r && watched.offer(r))}
              onLeave={() => void actions.leave(g.id).then((r) => r !== undefined && watched.offer(r))}
            />
            {actions.me !== null && actions.me === g.creator.id && (
              <button type="button" class="danger" data-testid={`detail-delete-${g.id}`} disabled={actions.busy} onClick={() => void actions.remove(g.id).then((ok) => ok && watched.offer(null))}>
                Delete
              </button>
            )}
          </div>
          <dl class="facts">
            <dt>Id</dt>
            <dd>
              <code data-testid="detail-id">{g.id}</code>
            </dd>
            <dt>Type</dt>
            <dd>{g.gameType.name}</dd>
            <dt>Version</dt>
            <dd data-testid="detail-version">{g.version}</dd>
            <dt>Visibility</dt>
            <dd>{g.visibility.toLowerCase()}</dd>
            <dt>Region</dt>
            <dd>{g.region ?? <span class="muted">any</span>}</dd>
            <dt>Host</dt>
            <dd>
              {g.creator.name} <span class="muted">({g.creator.id})</span>
              {!g.hostConnected && <span class="chip">not connected yet</span>}
            </dd>
            <dt>Created</dt>
            <dd>
              <Time iso={g.createdAt} ago />
            </dd>
            <dt>Updated</dt>
            <dd>
              <Time iso={g.updatedAt} ago />
            </dd>
            <dt>Expires</dt>
            <dd data-testid="detail-expires">
              <Time iso={g.expiresAt} ago />
              {g.expiresAt && <span class="muted"> without activity</span>}
            </dd>
            {g.joinCode && (
              <>
                <dt>Join code</dt>
                <dd>
                  <code data-testid="detail-join-code">{g.joinCode}</code>
                </dd>
              </>
            )}
          </dl>

          <h3>Seats</h3>
          <table class="seat-table" data-testid="detail-seat-table">
            <thead>
              <tr>
                <th scope="col">Player</th>
                <th scope="col">Joined</th>
                <th scope="col">Confirmed</th>
              </tr>
            </thead>
            <tbody>
              {g.seats.map((s) => (
                <tr key={s.player.id} data-testid="detail-seat" data-player={s.player.id}>
                  <td>
                    {s.player.name} <span class="muted">({s.player.id})</span>
                    {s.player.id === g.creator.id && <span class="chip">host</span>}
                  </td>
                  <td>
                    <Time iso={s.joinedAt} />
                  </td>
                  <td>{s.confirmed ? "yes" : "not yet"}</td>
                </tr>
              ))}
            </tbody>
          </table>

          <h3>Labels</h3>
          {Object.keys(g.labels ?? {}).length === 0 ? (
            <p class="muted">none</p>
          ) : (
            <p>
              {Object.entries(g.labels as Record<string, unknown>).map(([k, v]) => (
                <span class="chip" key={k}>
                  {k}={labelText(v)}
                </span>
              ))}
            </p>
          )}

          <h3>Settings</h3>
          <pre class="json" data-testid="detail-settings">
            {JSON.stringify(g.settings, null, 2)}
          </pre>

          {g.server && (
            <>
              <h3>Game server</h3>
              <dl class="facts" data-testid="detail-server">
                <dt>Socket</dt>
                <dd>
                  <code>{g.server.socketUrl ?? "—"}</code>
                </dd>
                <dt>Token</dt>
                <dd>
                  <code class="secret">{g.server.token ?? "—"}</code>
                </dd>
              </dl>
              <p class="hint">
                Connect to <code>ws://{g.server.socketUrl}/?game_token=…&amp;user_id={actions.me}</code>.
              </p>
            </>
          )}
        </>
      )}
    </section>
  );
}
