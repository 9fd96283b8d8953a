import { ErrorCode, MatchmakerError, gameNotFound } from "../domain/errors.js";
import { ALL_STATES, type GameState } from "../domain/game.js";
import type { StateTable } from "./game-store.js";

// Marks the one INTERNAL_SERVER_ERROR a caller should retry with a fresh join code.
const JOIN_CODE_TAKEN = "JOIN_CODE_TAKEN";

/** Whether `err` is the store refusing a join code another live game holds (retry with a new code). Never throws. */
export const isJoinCodeTaken = (err: unknown): boolean =>
  err instanceof MatchmakerError && err.details?.reason === JOIN_CODE_TAKEN;

const WRONG_JOIN_CODE = "WRONG_JOIN_CODE";
// Marks the refusal a caller retries after reading the party again.
const PARTY_CHANGED = "PARTY_CHANGED";

/** Whether `err` is the store refusing a party's seats or write because the party changed since it was read. Never throws. */
export const isPartyChanged = (err: unknown): boolean => err instanceof MatchmakerError && err.details?.reason === PARTY_CHANGED;

/** Whether `err` is the refusal of a join code (wrong, malformed, or of no live game): a guess, for the rate limits. Never throws. */
export const isWrongJoinCode = (err: unknown): boolean =>
  err instanceof MatchmakerError && err.details?.reason === WRONG_JOIN_CODE;

/** The refusals a store can answer with, worded once for both backends. */
export const storeErrors = {
  notFound: gameNotFound,
  // Deliberately the same answer whether or not the game exists, so codes cannot be probed.
  wrongJoinCode: () =>
    new MatchmakerError(ErrorCode.FORBIDDEN, "This game is private: a valid join code is needed to join it.", { reason: WRONG_JOIN_CODE }),
  alreadyJoined: (id: string) => new MatchmakerError(ErrorCode.ALREADY_JOINED, `You are already a player in game "${id}".`),
  full: (id: string) => new MatchmakerError(ErrorCode.GAME_FULL, `Game "${id}" has no free seat left.`),
  notJoinable: (id: string, state: GameState | string) =>
    new MatchmakerError(ErrorCode.NOT_JOINABLE, `Game "${id}" cannot be joined while it is ${state}.`),
  joinCodeTaken: () =>
    new MatchmakerError(ErrorCode.INTERNAL_SERVER_ERROR, "Join code collision; retry.", { reason: JOIN_CODE_TAKEN }),
  tooManyGames: (max: number) =>
    new MatchmakerError(
      ErrorCode.TOO_MANY_GAMES,
      `You already have ${max} live games of this type (the most one player may have); end or delete one first.`,
      { max },
    ),
  partyGone: () => new MatchmakerError(ErrorCode.PARTY_NOT_FOUND, "The party no longer exists."),
  partyChanged: () =>
    new MatchmakerError(ErrorCode.VERSION_CONFLICT, "The party changed meanwhile (someone joined or left); try again.", { reason: PARTY_CHANGED }),
  notAPlayer: (id: string) => new MatchmakerError(ErrorCode.NOT_A_PLAYER, `You are not a player in game "${id}".`),
  notCreator: (id: string) =>
    new MatchmakerError(ErrorCode.FORBIDDEN, `Only the creator of game "${id}" or an admin may do this.`),
  versionConflict: (id: string, current: number) =>
    new MatchmakerError(
      ErrorCode.VERSION_CONFLICT,
      `Game "${id}" changed meanwhile (now at version ${current}); reload it and try again.`,
      { currentVersion: current },
    ),
  // The store sees only the event's transition table, so it names the event by where it applies.
  invalidTransition: (id: string, state: GameState | string, table: StateTable) => {
    const from = ALL_STATES.filter((s) => table[s] !== undefined);
    const where = from.length > 0 ? `only applies in state ${from.join(" or ")}` : "applies in no state";
    return new MatchmakerError(
      ErrorCode.INVALID_TRANSITION,
      `Game "${id}" is ${state}: this event ${where}, so it was not applied.`,
      { state, allowedFrom: from },
    );
  },
};
