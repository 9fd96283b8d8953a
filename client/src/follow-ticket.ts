import { MatchmakerError } from "./errors.js";
import type { MatchTicketChangedSubscription, TicketFieldsFragment } from "./generated/graphql.js";
import type { MatchmakerClient } from "./client.js";

export type TicketChange = MatchTicketChangedSubscription["matchTicketChanged"];

export interface FollowTicketOptions {
  /** The last version the caller already has (e.g. from enqueueMatchTicket): older changes are not shown again. */
  afterVersion?: number;
}

export interface FollowedTicket {
  /**
   * The ticket as it ended (MATCHED with its game, TIMED_OUT or CANCELLED with a reason); rejects
   * when the watch fails for good, or with LISTENER_FAILED when `onChange` threw on a search.
   */
  outcome: Promise<TicketFieldsFragment>;
  /** Stops following; `outcome` then rejects with code STOPPED. */
  stop(): void;
}

/**
 * Follows a matchmaking ticket until it ends. `onChange` gets each change once, in order: every
 * status change, and each widening of its window while it searches (same version, previousStatus
 * SEARCHING). After a lost socket the client subscribes again by itself and the server answers
 * with the ticket as it stands, so what happened meanwhile (the match, say) arrives then; a
 * version already seen is not passed on twice.
 */
export function followTicket(client: MatchmakerClient, ticketId: string, onChange: (change: TicketChange) => void, opts: FollowTicketOptions = {}): FollowedTicket {
  let seen = opts.afterVersion ?? 0;
  let done = false;
  let settle!: { resolve: (t: TicketFieldsFragment) => void; reject: (e: MatchmakerError) => void };
  const outcome = new Promise<TicketFieldsFragment>((resolve, reject) => (settle = { resolve, reject }));
  // A caller that only uses onChange must not get an unhandled rejection when it stops.
  outcome.catch(() => {});
  const finish = (err: MatchmakerError | null, ticket?: TicketFieldsFragment) => {
    if (done) return;
    done = true;
    stopWatch();
    if (err) settle.reject(err);
    else settle.resolve(ticket!);
  };
  const stopWatch = client.matchTicketChanged(ticketId, opts.afterVersion, {
    next: (c) => {
      if (done) return;
      const t = c.ticket;
      // The ticket as it stood when a (re)subscription began, at a version already seen: nothing new.
      if (t.version < seen || (t.version === seen && c.previousStatus !== "SEARCHING")) return;
      seen = t.version;
      // The caller's listener must not break the socket's other subscriptions (graphql-ws would
      // close it) nor lose the outcome.
      let thrown: { err: unknown } | null = null;
      try {
        onChange(c);
      } catch (err) {
        thrown = { err };
      }
      if (t.status !== "SEARCHING") finish(null, t);
      else if (thrown) finish(new MatchmakerError("LISTENER_FAILED", `onChange threw for ticket ${ticketId}: ${String(thrown.err)}`));
    },
    error: (err) => finish(err),
    // The server ends the watch once the ticket has ended: when the end was at a version the caller
    // already had (afterVersion), nothing was sent, so read it.
    complete: () => {
      if (done) return;
      void client.matchTicket(ticketId).then(
        (t) => finish(t && t.status !== "SEARCHING" ? null : new MatchmakerError("TICKET_WATCH_ENDED", `The watch of ticket ${ticketId} ended before the ticket did.`), t ?? undefined),
        (err: unknown) => finish(err instanceof MatchmakerError ? err : new MatchmakerError("NETWORK_ERROR", String(err))),
      );
    },
  });
  return { outcome, stop: () => finish(new MatchmakerError("STOPPED", `Stopped following ticket ${ticketId}.`)) };
}
