import type { GameTypeDef } from "../domain/game-type.js";

/**
 * Control calls from the matchmaker to a game type's server (docs/game-server-contract.md §2).
 * Every method rejects with MatchmakerError GAME_SERVER_UNAVAILABLE (5xx, timeout,
 * refused connection, unreadable answer) or GAME_SERVER_REJECTED (4xx, carrying the
 * server's `message`). Types without `serverUrl` are never called (callers check
 * `hasServer`).
 */
export interface GameServerClient {
  hasServer(type: GameTypeDef): boolean;
  /** POST /create_game; resolves to the gameToken. Not retried (not safe to repeat). */
  createGame(type: GameTypeDef, gameId: string, userId: string, username: string): Promise<{ gameToken: string }>;
  /** POST /join_game. Not retried. */
  joinGame(type: GameTypeDef, gameId: string, userId: string, username: string): Promise<void>;
  /** POST /remove_game; retried (idempotent); 404 counts as done. */
  removeGame(type: GameTypeDef, gameId: string): Promise<void>;
  /** POST /remove_player; retried (idempotent); 404 ("not in the game") counts as done. */
  removePlayer(type: GameTypeDef, gameId: string, userId: string): Promise<void>;
}
