import { ErrorCode, MatchmakerError } from "../domain/errors.js";
import type { GameRecord, PlayerRecord } from "../domain/game.js";
import type { GameTypeDef } from "../domain/game-type.js";
import { newJoinCode } from "../domain/ids.js";
import { GameEvent, hostTables, transitionTable } from "../domain/state-machine.js";
import type { GameRef } from "../store/game-store.js";
import { isJoinCodeTaken } from "../store/store-errors.js";
import type { ServiceContext } from "./service-context.js";

// Taking a seat does not depend on the host; freeing one does (see TransitionContext.hostConnected).
export const JOINABLE = transitionTable(GameEvent.PLAYER_JOINING, { freeSeats: 1, hostConnected: true });
export const SEATS_FILLED = transitionTable(GameEvent.SEATS_FILLED, { freeSeats: 0, hostConnected: true });
export const SEAT_FREED = hostTables(GameEvent.SEAT_FREED, 1);

const CODE_ATTEMPTS = 5;
const POLL_MIN_MS = 10;
const POLL_MAX_MS = 200;

export const isCode = (err: unknown, code: ErrorCode): boolean => err instanceof MatchmakerError && err.code === code;

/**
 * Party seating, join codes and waiting for a game server's game: what join, quickJoin and
 * create share. Each helper says how it fails; none leaves a server seat behind it.
 */
export function createSeating(ctx: ServiceContext) {
  const { store, gameServers, bestEffort } = ctx;

  /**
   * A join code no live game holds right now (checked across every type, since codes are
   * looked up without a type). Throws INTERNAL_SERVER_ERROR if none is found in a few
   * tries (the code space is ~887 million: only a broken store gets there).
   */
  async function freshJoinCode(): Promise<string> {
    for (let i = 0; i < CODE_ATTEMPTS; i++) {
      const code = newJoinCode();
      if ((await store.findByCode(code)) === null) return code;
    }
    throw new MatchmakerError(ErrorCode.INTERNAL_SERVER_ERROR, "Could not issue a free join code; retry.");
  }

  return {
    freshJoinCode,

    /**
     * Runs `write` with a fresh join code, again with another one while the store reports
     * the code taken (two games drew the same code at once). Rethrows anything else.
     */
    async withFreshCode<T>(write: (code: string) => Promise<T>): Promise<T> {
      for (let i = 1; ; i++) {
        try {
          return await write(await freshJoinCode());
        } catch (err) {
          if (!isJoinCodeTaken(err) || i >= CODE_ATTEMPTS) throw err;
        }
      }
    },

    /**
     * join_game for each seat, in order. On a failure, remove_player for the seats already
     * joined (and for the failing one when the server may have joined it before timing
     * out), then rethrows GAME_SERVER_REJECTED / GAME_SERVER_UNAVAILABLE: all or none.
     */
    async serverJoinAll(type: GameTypeDef, gameId: string, seats: readonly PlayerRecord[]): Promise<void> {
      const joined: string[] = [];
      for (const p of seats) {
        try {
          await gameServers.joinGame(type, gameId, p.id, p.name);
          joined.push(p.id);
        } catch (err) {
          if (isCode(err, ErrorCode.GAME_SERVER_UNAVAILABLE)) joined.push(p.id);
          await Promise.all(joined.map((id) => bestEffort(type, { call: "remove_player", gameId, playerId: id })));
          throw err;
        }
      }
    },

    /** remove_player for each id (best effort), e.g. for seats the store did not keep. */
    async serverRemoveAll(type: GameTypeDef, gameId: string, ids: readonly string[]): Promise<void> {
      await Promise.all(ids.map((id) => bestEffort(type, { call: "remove_player", gameId, playerId: id })));
    },

    /**
     * The game once its game server has created it (quickJoin stores a hosted game first
     * and its token when create_game answers), polling with backoff; null when the game
     * went away meanwhile (its creation failed). Rejects with GAME_SERVER_UNAVAILABLE after
     * `waitMs`, or BACKEND_UNAVAILABLE.
     */
    async awaitServerGame(ref: GameRef, waitMs: number): Promise<GameRecord | null> {
      const deadline = Date.now() + waitMs;
      for (let pause = POLL_MIN_MS; ; pause = Math.min(pause * 2, POLL_MAX_MS)) {
        const g = await store.get(ref);
        if (g === null || g.serverToken !== null) return g;
        if (Date.now() + pause > deadline) {
          throw new MatchmakerError(
            ErrorCode.GAME_SERVER_UNAVAILABLE,
            `The game server has not finished creating game "${ref.id}"; try again shortly.`,
            { reason: "game still being created" },
          );
        }
        await new Promise((r) => setTimeout(r, pause));
      }
    },
  };
}

export type Seating = ReturnType<typeof createSeating>;
