/**
 * A matchmaking ticket as the store keeps it: who searches, in which queue, with what, and
 * how it ended. The matcher sees only its {@link Ticket} view (`matcherView`). A ticket has
 * exactly one outcome: it leaves SEARCHING once, to MATCHED, TIMED_OUT or CANCELLED, in one
 * atomic store step that checks the version it was read at.
 */
import { randomIdPart } from "../ids.js";
import type { Ticket } from "./ticket.js";

export enum TicketStatus {
  SEARCHING = "SEARCHING",
  MATCHED = "MATCHED",
  TIMED_OUT = "TIMED_OUT",
  CANCELLED = "CANCELLED",
}

export const ENDED_TICKET_STATUSES: readonly TicketStatus[] = [TicketStatus.MATCHED, TicketStatus.TIMED_OUT, TicketStatus.CANCELLED];

export interface TicketPlayer {
  id: string;
  name: string;
}

/** Where a matched ticket went: its game, the teams (player ids) and how even they are. */
export interface TicketMatch {
  gameId: string;
  /** Player ids per team (one team for a group layout), every ticket of the match included. */
  teams: string[][];
  teamRatings: number[];
  teamDifference: number;
  ratingSpread: number;
  region: string | null;
}

export interface TicketRecord {
  /** `tkt_<gameType>_<16 random>`: carries its type, so any id finds its Redis slot. */
  id: string;
  gameType: string;
  queueId: string;
  status: TicketStatus;
  /** 1 when enqueued, +1 on every change; a commit checks it, so a stale proposal loses. */
  version: number;
  /** Who enqueued it (for a party, its leader); only they (or an admin) may cancel it. */
  ownerId: string;
  /** The owner first; more than one = a party, kept together in one team. */
  players: TicketPlayer[];
  partyId: string | null;
  rating: number;
  latencies: Record<string, number> | null;
  enqueuedAt: number;
  updatedAt: number;
  /** Set when MATCHED. */
  match: TicketMatch | null;
  /** Set when TIMED_OUT (the rule that failed most) or CANCELLED ("cancelled_by_owner", …). */
  reason: string | null;
}

export interface TicketRef {
  gameType: string;
  id: string;
}

/** One change of a ticket, as stored: what watchers of `matchTicketChanged` get. */
export interface TicketChange {
  ticket: TicketRecord;
  previousStatus: TicketStatus | null;
}

const TICKET_ID_PATTERN = /^tkt_([a-z0-9][a-z0-9-]{0,31})_([0-9a-z]{16})$/;

/** Unguessable (randomIdPart): knowing a ticket's id is what lets a client follow it. */
export const newTicketId = (gameType: string): string => `tkt_${gameType}_${randomIdPart()}`;

/** Splits a ticket id; null for anything this service could not have issued. Never throws. */
export function parseTicketId(id: string): TicketRef | null {
  const m = TICKET_ID_PATTERN.exec(id);
  return m ? { gameType: m[1]!, id } : null;
}

/** What the matcher needs of a searching ticket. Never throws. */
export function matcherView(t: TicketRecord): Ticket {
  return {
    id: t.id,
    version: t.version,
    playerIds: t.players.map((p) => p.id),
    rating: t.rating,
    ...(t.latencies ? { latencies: t.latencies } : {}),
    enqueuedAt: t.enqueuedAt,
  };
}

/** What a matcher pools of a searching ticket: its view, and its players for the game a match seats. Never throws. */
export const pooledOf = (t: TicketRecord): { ticket: Ticket; players: TicketPlayer[] } => ({ ticket: matcherView(t), players: t.players.map((p) => ({ ...p })) });
