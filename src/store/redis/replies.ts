import { ErrorCode, MatchmakerError } from "../../domain/errors.js";
import type { ChangeKind, GameChangeRecord, GameState } from "../../domain/game.js";
import { decodeGame } from "./codec.js";

// Server states after which a retry may succeed; other reply errors are bugs and surface as such.
const TRANSIENT_REPLY = /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY|OOM)\b/;

/**
 * Runs one Redis call. Connection trouble and transient server states reject with
 * BACKEND_UNAVAILABLE (cause attached); a MatchmakerError passes through; any other
 * reply error (a script bug) is rethrown as is.
 */
export async function guarded<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof MatchmakerError) throw err;
    if (err instanceof Error && err.name === "ReplyError" && !TRANSIENT_REPLY.test(err.message)) throw err;
    const e = new MatchmakerError(ErrorCode.BACKEND_UNAVAILABLE, "The game store is not reachable right now; try again shortly.");
    e.cause = err;
    throw e;
  }
}

/**
 * A mutation script's answer: {code, game, previousState, extra?} on success, the game's
 * record fields packed as a JSON array (record.lua); {code, detail?} otherwise (see ScriptCode).
 */
export type ScriptReply = [number, string?, string?, string[]?];

/** The change a successful script reply describes. Throws on a malformed game (a bug). */
export function changeOf(reply: ScriptReply, kind: ChangeKind): GameChangeRecord {
  const game = decodeGame(JSON.parse(reply[1]!) as string[]);
  const previousState = (reply[2] ?? null) as GameState | null;
  return { kind, gameId: game.id, gameType: game.gameType, version: game.version, previousState, game };
}

/** The refusal detail of a reply, when it carries one. */
export const detailOf = (reply: ScriptReply): string | undefined => (typeof reply[1] === "string" ? reply[1] : undefined);
