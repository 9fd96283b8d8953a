import { STATUS_CODES } from "node:http";
import type { Logger } from "pino";
import { ErrorCode, MatchmakerError } from "../domain/errors.js";
import { type GameTypeDef, hasGameServer } from "../domain/game-type.js";
import type { GameServerClient } from "./game-server-client.js";

/** The control calls of docs/game-server-contract.md §2, by their path on the game server. */
export enum GameServerCall {
  CreateGame = "create_game",
  JoinGame = "join_game",
  RemoveGame = "remove_game",
  RemovePlayer = "remove_player",
}

/**
 * Calls that are safe to repeat: they are retried when the server is unavailable, and a
 * 404 means the game or player is already gone, which is the outcome the caller wanted.
 */
const IDEMPOTENT: ReadonlySet<GameServerCall> = new Set([GameServerCall.RemoveGame, GameServerCall.RemovePlayer]);

export interface HttpGameServerClientOptions {
  /** Limit for one attempt (connect, answer and body), in ms. */
  timeoutMs: number;
  /** Extra attempts for remove_game / remove_player after an "unavailable" outcome. Default 2. */
  retries?: number;
  /** Wait before the first retry; doubled for each further one. Default 100 ms. */
  retryDelayMs?: number;
  /** Every failed attempt is logged here at warn. */
  logger: Logger;
}

type Outcome = { ok: true; text: string } | { ok: false; error: MatchmakerError; reason: string };

/**
 * A {@link GameServerClient} speaking the contract's JSON-over-HTTP control API with the
 * global `fetch`.
 *
 * On failure every method rejects with a MatchmakerError:
 * - GAME_SERVER_REJECTED for a 4xx answer (404 on remove_* is success), carrying the
 *   server's `message` and `details: { status, serverMessage }`;
 * - GAME_SERVER_UNAVAILABLE for a 5xx answer, a timeout, a refused or reset connection,
 *   or a create_game answer without a usable `gameToken`; `details.reason` says which.
 * remove_game and remove_player are retried on UNAVAILABLE (`retries` times, exponential
 * backoff); create_game and join_game are sent exactly once, because repeating them
 * after a timeout could create or join twice on the game server.
 * Calling a method for a type without `serverUrl` is a programming error
 * (INTERNAL_SERVER_ERROR); callers check {@link GameServerClient.hasServer} first.
 */
export function createHttpGameServerClient(options: HttpGameServerClientOptions): GameServerClient {
  const { timeoutMs, retries = 2, retryDelayMs = 100, logger } = options;

  function unavailable(type: GameTypeDef, reason: string, details: Record<string, unknown> = {}) {
    const error = new MatchmakerError(
      ErrorCode.GAME_SERVER_UNAVAILABLE,
      `The game server for ${type.name} is unavailable (${reason}); try again shortly.`,
      { reason, ...details },
    );
    return { ok: false as const, error, reason };
  }

  function logFailure(type: GameTypeDef, call: GameServerCall, reason: string, extra: Record<string, unknown>): void {
    logger.warn({ gameType: type.id, call, reason, ...extra }, "game server call failed");
  }

  /** Why fetch itself threw: undici hides the socket error in `cause`. */
  function transportReason(err: unknown): string {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e.name === "TimeoutError" || e.name === "AbortError") return `timeout after ${timeoutMs} ms`;
    switch (e.cause?.code) {
      case "ECONNREFUSED":
        return "connection refused";
      case "ECONNRESET":
      case "EPIPE":
      case "UND_ERR_SOCKET":
        return "connection reset";
      case "ENOTFOUND":
      case "EAI_AGAIN":
        return "host not found";
    }
    return `request failed: ${e.cause?.message ?? e.message ?? String(err)}`;
  }

  async function attempt(type: GameTypeDef, call: GameServerCall, body: string): Promise<Outcome> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    // Servers of the original generation know no secret; send it only where one is configured.
    if (type.serverSecret) headers.authorization = `Bearer ${type.serverSecret}`;
    let status: number;
    let text: string;
    try {
      const res = await fetch(`${type.serverUrl!.replace(/\/+$/, "")}/${call}`, {
        method: "POST",
        headers,
        body,
        // A followed 301/302 would turn the POST into a body-less GET; treat it as an error instead.
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      return unavailable(type, transportReason(err));
    }
    if (status >= 200 && status < 300) return { ok: true, text };
    if (status === 404 && IDEMPOTENT.has(call)) return { ok: true, text };
    const serverMessage = messageOf(text, status);
    if (status >= 400 && status < 500) {
      const error = new MatchmakerError(
        ErrorCode.GAME_SERVER_REJECTED,
        `The game server for ${type.name} refused: ${serverMessage}`,
        { status, serverMessage },
      );
      return { ok: false, error, reason: `refused with HTTP ${status}: ${serverMessage}` };
    }
    return unavailable(type, `HTTP ${status}: ${serverMessage}`, { status, serverMessage });
  }

  /** Sends one call, retrying idempotent ones; resolves to the answer's body text. */
  async function send(type: GameTypeDef, call: GameServerCall, payload: Record<string, string>): Promise<string> {
    if (type.serverUrl === null) {
      throw new MatchmakerError(ErrorCode.INTERNAL_SERVER_ERROR, `Game type "${type.id}" has no game server to call.`);
    }
    const body = JSON.stringify(payload);
    const attempts = IDEMPOTENT.has(call) ? 1 + Math.max(0, retries) : 1;
    for (let n = 1; ; n++) {
      const outcome = await attempt(type, call, body);
      if (outcome.ok) return outcome.text;
      const willRetry = n < attempts && outcome.error.code === ErrorCode.GAME_SERVER_UNAVAILABLE;
      logFailure(type, call, outcome.reason, { gameId: payload.gameId, attempt: n, willRetry });
      if (!willRetry) throw outcome.error;
      await sleep(retryDelayMs * 2 ** (n - 1));
    }
  }

  return {
    hasServer: hasGameServer,

    async createGame(type, gameId, userId, username) {
      const text = await send(type, GameServerCall.CreateGame, { gameId, userId, username });
      const json = parseJson(text);
      const token = isObject(json) ? json.gameToken : undefined;
      if (typeof token === "string" && token !== "") return { gameToken: token };
      // The game may now exist on the game server: callers should remove_game it (nothing half-done, §1).
      const outcome = unavailable(type, json === undefined ? "answered with a body that is not JSON" : "answered without a gameToken");
      logFailure(type, GameServerCall.CreateGame, outcome.reason, { gameId, attempt: 1, willRetry: false });
      throw outcome.error;
    },

    async joinGame(type, gameId, userId, username) {
      // The answer's content is not relied on (§1), so an empty or non-JSON 200 is fine.
      await send(type, GameServerCall.JoinGame, { gameId, userId, username });
    },

    async removeGame(type, gameId) {
      await send(type, GameServerCall.RemoveGame, { gameId });
    },

    async removePlayer(type, gameId, userId) {
      await send(type, GameServerCall.RemovePlayer, { gameId, userId });
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The contract's `{"message"}`, or the status text when a proxy answered with something else. */
function messageOf(text: string, status: number): string {
  const json = parseJson(text);
  const message = isObject(json) ? json.message : undefined;
  if (typeof message === "string" && message.trim() !== "") return message.trim();
  return STATUS_CODES[status] ?? `HTTP ${status}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
