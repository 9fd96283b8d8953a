import { MatchmakerError } from "./errors.js";
import type { PlayerGameFragment, QuickJoinInput } from "./generated/graphql.js";
import type { MatchmakerClient } from "./client.js";

export interface FindOrQuickJoinOptions {
  /** A game to try first (an invite, a friend's lobby); its join code when private. */
  gameId?: string;
  joinCode?: string;
  /** A party you lead, seated with you in either path. */
  partyId?: string;
  /** Tries after RATE_LIMITED or BACKEND_UNAVAILABLE (waiting as the server says), default 3. */
  attempts?: number;
  /** For tests and custom schedulers; default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

export interface JoinOutcome {
  game: PlayerGameFragment;
  /** "invited": seated in options.gameId; "already": you sat there before; "quickJoin": the best match or a new game. */
  via: "invited" | "already" | "quickJoin";
}

// The invited game cannot take you now: fall back to any game like it.
const TAKE_ANOTHER = new Set(["GAME_FULL", "NOT_JOINABLE", "GAME_NOT_FOUND"]);
const TRANSIENT = new Set(["RATE_LIMITED", "BACKEND_UNAVAILABLE", "NETWORK_ERROR"]);

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function retrying<T>(attempts: number, sleep: (ms: number) => Promise<void>, call: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof MatchmakerError) || !TRANSIENT.has(err.code) || i >= attempts) throw err;
      await sleep((err.retryAfterSeconds ?? 0.25 * 2 ** (i - 1)) * 1_000);
    }
  }
}

export async function findOrQuickJoin(client: MatchmakerClient, input: QuickJoinInput, opts: FindOrQuickJoinOptions = {}): Promise<JoinOutcome> {
  const attempts = Math.max(1, opts.attempts ?? 3);
  const sleep = opts.sleep ?? defaultSleep;
  const partyId = opts.partyId ?? input.partyId ?? undefined;
  if (opts.gameId) {
    const gameId = opts.gameId;
    try {
      const game = await retrying(attempts, sleep, () => client.joinGame(gameId, { joinCode: opts.joinCode, partyId }));
      return { game, via: "invited" };
    } catch (err) {
      if (!(err instanceof MatchmakerError)) throw err;
      if (err.code === "ALREADY_JOINED") {
        const game = await client.game(gameId);
        if (game) return { game, via: "already" };
      } else if (!TAKE_ANOTHER.has(err.code)) throw err;
    }
  }
  const game = await retrying(attempts, sleep, () => client.quickJoin({ ...input, partyId }));
  return { game, via: "quickJoin" };
}
