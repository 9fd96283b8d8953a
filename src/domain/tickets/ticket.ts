/**
 * A matchmaking ticket — one solo player or one party searching in one queue — and the
 * checks it must pass before it enters a pool, so the matcher never meets a ticket it cannot
 * judge (no rating, no latencies where regions matter, a party that could never fit).
 */
import { LIMITS } from "../limits.js";
import { type QueueConfig, largestFittingParty } from "./queue.js";

/** A usable rating: finite, and within ±LIMITS.rating (so a match's sums and differences stay finite). */
export const isUsableRating = (r: number): boolean => Number.isFinite(r) && Math.abs(r) <= LIMITS.rating;

export interface Ticket {
  readonly id: string;
  /** Bumped by the store on every change; a commit checks it, so a stale proposal loses. */
  readonly version: number;
  /** 1 = solo; more = a party, kept together in one team. Party size = length. */
  readonly playerIds: readonly string[];
  /** The value of the queue's rating attribute (for a party: its agreed rating). */
  readonly rating: number;
  /** Round-trip latency (ms) by region name; required when the queue has a region rule. */
  readonly latencies?: Readonly<Record<string, number>>;
  /** Epoch ms when the ticket started searching; waits (and so windows) count from here. */
  readonly enqueuedAt: number;
}

/** Why a ticket cannot enter a queue. */
export enum TicketRejection {
  BAD_ID = "bad_id",
  BAD_VERSION = "bad_version",
  NO_PLAYERS = "no_players",
  DUPLICATE_PLAYER = "duplicate_player",
  PARTY_TOO_LARGE = "party_too_large",
  /** The party fits a team, but partySize.maxSpread leaves no way to fill a match around it. */
  PARTY_NEVER_MATCHES = "party_never_matches",
  BAD_RATING = "bad_rating",
  BAD_ENQUEUED_AT = "bad_enqueued_at",
  /** The queue matches by region and the ticket says nothing about its latencies. */
  MISSING_LATENCIES = "missing_latencies",
  BAD_LATENCY = "bad_latency",
}

export type TicketCheck = { ok: true } | { ok: false; reason: TicketRejection; message: string };

/** Ids end up in store keys: nothing that could break the key grammar (`:`, `{`, `}`, spaces). */
export const KEY_SAFE = /^[A-Za-z0-9_-]{1,64}$/;
/** Regions one ticket may report: enough for every data centre, bounded so a check stays cheap. */
export const MAX_TICKET_REGIONS = 32;

const reject = (reason: TicketRejection, message: string): TicketCheck => ({ ok: false, reason, message });

/**
 * Whether `ticket` may enter `queue`'s pool. A ticket without latencies in a queue with a region
 * rule is refused (MISSING_LATENCIES) rather than matched anywhere: it could only ever time out,
 * and the client can measure and re-enqueue at once. Never throws; the reason is typed and
 * the message is one a player-facing API can show.
 */
export function validateTicket(queue: QueueConfig, ticket: Ticket): TicketCheck {
  if (typeof ticket.id !== "string" || !KEY_SAFE.test(ticket.id)) {
    return reject(TicketRejection.BAD_ID, "ticket id must be 1-64 letters, digits, '_' or '-'");
  }
  if (!Number.isSafeInteger(ticket.version) || ticket.version < 0) {
    return reject(TicketRejection.BAD_VERSION, "ticket version must be a non-negative integer");
  }
  const size = ticket.playerIds.length;
  if (size === 0) return reject(TicketRejection.NO_PLAYERS, "a ticket needs at least one player");
  if (ticket.playerIds.some((p) => typeof p !== "string" || p === "")) {
    return reject(TicketRejection.NO_PLAYERS, "player ids must be non-empty strings");
  }
  if (new Set(ticket.playerIds).size !== size) {
    return reject(TicketRejection.DUPLICATE_PLAYER, "a player appears twice in the ticket");
  }
  if (size > queue.partySize.max) {
    return reject(TicketRejection.PARTY_TOO_LARGE, `queue "${queue.id}" takes parties of at most ${queue.partySize.max}`);
  }
  if (!partySizeCanMatch(queue, size)) {
    return reject(
      TicketRejection.PARTY_NEVER_MATCHES,
      `queue "${queue.id}" can never fill a match around a party of ${size} (partySize.maxSpread ${queue.partySize.maxSpread})`,
    );
  }
  if (!isUsableRating(ticket.rating)) {
    return reject(TicketRejection.BAD_RATING, `rating (${queue.rating.attribute}) must be a finite number within ±${LIMITS.rating}`);
  }
  if (!Number.isSafeInteger(ticket.enqueuedAt) || ticket.enqueuedAt < 0) {
    return reject(TicketRejection.BAD_ENQUEUED_AT, "enqueuedAt must be epoch milliseconds");
  }
  if (queue.region !== null) return checkLatencies(ticket.latencies);
  return { ok: true };
}

/** Latencies as a ticket may carry them (also where the queue has no region rule: they are stored). Never throws. */
export function checkLatencies(latencies: Ticket["latencies"]): TicketCheck {
  const entries = latencies ? Object.entries(latencies) : [];
  if (entries.length === 0) {
    return reject(TicketRejection.MISSING_LATENCIES, "this queue matches by region: the ticket must report latencies");
  }
  if (entries.length > MAX_TICKET_REGIONS) {
    return reject(TicketRejection.BAD_LATENCY, `at most ${MAX_TICKET_REGIONS} regions per ticket`);
  }
  for (const [region, ms] of entries) {
    if (!KEY_SAFE.test(region)) return reject(TicketRejection.BAD_LATENCY, `region name "${region}" must be 1-64 letters, digits, '_' or '-'`);
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
      return reject(TicketRejection.BAD_LATENCY, `latency to "${region}" must be a non-negative number of ms`);
    }
  }
  return { ok: true };
}

/**
 * Whether some match could ever hold a party of `size` in `queue`: every party in it has a size
 * within partySize.maxSpread of the others and the layout is filled exactly. Closed form: parties
 * drawn from sizes [lo, hi] can add up to n exactly iff k·lo ≤ n ≤ k·hi for some count k.
 * At most ~100 × 100 steps (sizes and totals are ≤ 100). Never throws.
 */
export function partySizeCanMatch(queue: Pick<QueueConfig, "teams" | "partySize">, size: number): boolean {
  const { max, maxSpread } = queue.partySize;
  const layout = queue.teams;
  if (size < 1 || size > Math.min(max, largestFittingParty(layout))) return false;
  const spread = maxSpread ?? max;
  for (let lo = Math.max(1, size - spread); lo <= size; lo++) {
    const hi = Math.min(lo + spread, max);
    const sums = (n: number) => {
      for (let k = 0; k * lo <= n; k++) if (n <= k * hi) return true;
      return false;
    };
    if (layout.kind === "teams") {
      if (sums(layout.size - size) && (layout.count === 1 || sums(layout.size))) return true;
    } else {
      for (let total = layout.minPlayers; total <= layout.maxPlayers; total++) if (sums(total - size)) return true;
    }
  }
  return false;
}
