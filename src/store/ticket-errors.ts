import { ErrorCode, MatchmakerError } from "../domain/errors.js";

/** The refusals of a ticket store, worded once for both backends. */
export const ticketErrors = {
  notFound: (id: string) =>
    new MatchmakerError(ErrorCode.TICKET_NOT_FOUND, `Ticket "${id}" does not exist (an ended ticket is kept for an hour).`),
  alreadyQueued: (ticketId: string) =>
    new MatchmakerError(ErrorCode.TICKET_ALREADY_QUEUED, `A player of this ticket already searches in this queue (ticket "${ticketId}").`, { ticketId }),
  notOwner: (id: string) => new MatchmakerError(ErrorCode.FORBIDDEN, `Only the player who enqueued ticket "${id}" (or an admin) may cancel it.`),
  // Ids are random, so a retry gets a fresh one.
  idTaken: () => new MatchmakerError(ErrorCode.INTERNAL_SERVER_ERROR, "Ticket id collision; retry."),
};
