/**
 * The one list of refusal codes a client can see in `extensions.code`.
 * Every layer throws {@link MatchmakerError}; the GraphQL layer only copies the code.
 */
export enum ErrorCode {
  GAME_NOT_FOUND = "GAME_NOT_FOUND",
  GAME_FULL = "GAME_FULL",
  NOT_JOINABLE = "NOT_JOINABLE",
  ALREADY_JOINED = "ALREADY_JOINED",
  NOT_A_PLAYER = "NOT_A_PLAYER",
  UNKNOWN_GAME_TYPE = "UNKNOWN_GAME_TYPE",
  INVALID_TRANSITION = "INVALID_TRANSITION",
  VERSION_CONFLICT = "VERSION_CONFLICT",
  FORBIDDEN = "FORBIDDEN",
  UNAUTHENTICATED = "UNAUTHENTICATED",
  BAD_USER_INPUT = "BAD_USER_INPUT",
  GAME_SERVER_UNAVAILABLE = "GAME_SERVER_UNAVAILABLE",
  GAME_SERVER_REJECTED = "GAME_SERVER_REJECTED",
  RATE_LIMITED = "RATE_LIMITED",
  TOO_MANY_GAMES = "TOO_MANY_GAMES",
  PARTY_NOT_FOUND = "PARTY_NOT_FOUND",
  PARTY_FULL = "PARTY_FULL",
  TICKET_NOT_FOUND = "TICKET_NOT_FOUND",
  /** A player of the ticket already has a live ticket in the queue (details: ticketId). */
  TICKET_ALREADY_QUEUED = "TICKET_ALREADY_QUEUED",
  BACKEND_UNAVAILABLE = "BACKEND_UNAVAILABLE",
  INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR",
}

export class MatchmakerError extends Error {
  override readonly name = "MatchmakerError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const gameNotFound = (id: string) =>
  new MatchmakerError(ErrorCode.GAME_NOT_FOUND, `Game "${id}" does not exist (it may have ended or been deleted).`);

export const badInput = (message: string, details?: Record<string, unknown>) =>
  new MatchmakerError(ErrorCode.BAD_USER_INPUT, message, details);
