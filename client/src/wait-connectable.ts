import { MatchmakerError } from "./errors.js";
import type { PlayerGameFragment } from "./generated/graphql.js";
import type { MatchmakerClient } from "./client.js";

export interface ConnectableOptions {
  /** Give up after this long (rejects with code TIMEOUT); default 60 s. */
  timeoutMs?: number;
  /** How often the game is also fetched, in case a change was missed; default 5 s. */
  pollMs?: number;
}

export interface Connectable {
  game: PlayerGameFragment;
  socketUrl: string | null;
  token: string | null;
}

/**
 * A hosted game's players may connect only once its host has (`hostConnected`); until then
 * their `server` is null. Watches the game and resolves with the access the moment it is
 * there; rejects with GAME_ENDED when the game ends or is deleted first. The caller's token
 * must be the client's, since `server` is per player.
 */
export function waitUntilConnectable(client: MatchmakerClient, gameId: string, opts: ConnectableOptions = {}): Promise<Connectable> {
  return new Promise<Connectable>((resolve, reject) => {
    let done = false;
    let seen = 0;
    const finish = (err: MatchmakerError | null, game?: PlayerGameFragment) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(poll);
      stop();
      if (err) reject(err);
      else resolve({ game: game!, socketUrl: game!.server!.socketUrl ?? null, token: game!.server!.token ?? null });
    };
    const consider = (game: PlayerGameFragment | null | undefined, version: number) => {
      if (version < seen) return;
      seen = version;
      if (!game) return finish(new MatchmakerError("GAME_ENDED", `Game ${gameId} is gone.`));
      if (game.server) return finish(null, game);
      if (game.state === "ENDED") finish(new MatchmakerError("GAME_ENDED", `Game ${gameId} ended before you could connect.`));
    };
    const check = () =>
      client.game(gameId).then(
        (g) => consider(g, g?.version ?? Number.MAX_SAFE_INTEGER),
        (err: unknown) => finish(err instanceof MatchmakerError ? err : new MatchmakerError("NETWORK_ERROR", String(err))),
      );
    const stop = client.gameChanged(
      { id: gameId },
      { next: (c) => consider(c.game, c.version), error: (err) => finish(err) },
    );
    const timer = setTimeout(
      () => finish(new MatchmakerError("TIMEOUT", `Game ${gameId} was not connectable within ${opts.timeoutMs ?? 60_000} ms.`)),
      opts.timeoutMs ?? 60_000,
    );
    const poll = setInterval(() => void check(), opts.pollMs ?? 5_000);
    void check();
  });
}
