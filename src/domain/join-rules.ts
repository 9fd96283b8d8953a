import type { MatchmakerError } from "./errors.js";
import { freeSeats, type GameRecord, isPlayer, type GameState } from "./game.js";
import { storeErrors } from "../store/store-errors.js";

/**
 * Why the players `playerIds` (a caller and their party) could not all join `game` right
 * now, in the order every backend checks (join code, already joined, full, joinable
 * state), or null. Used to avoid calling a game server for a join that is bound to fail;
 * the store still decides atomically.
 */
export function joinRefusal(
  game: GameRecord,
  playerIds: readonly string[],
  joinCode: string | null,
  joinable: Partial<Record<GameState, GameState>>,
): MatchmakerError | null {
  if (game.joinCode !== null && joinCode !== game.joinCode) return storeErrors.wrongJoinCode();
  if (playerIds.some((id) => isPlayer(game, id))) return storeErrors.alreadyJoined(game.id);
  if (freeSeats(game) < playerIds.length) return storeErrors.full(game.id);
  if (!joinable[game.state]) return storeErrors.notJoinable(game.id, game.state);
  return null;
}
