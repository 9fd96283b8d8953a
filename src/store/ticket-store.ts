import type { Actor, GameChangeRecord, GameRecord, PlayerRecord } from "../domain/game.js";
import type { StateTable } from "./game-store.js";
import type { QueueActivity } from "./queue-activity.js";
import type { Ticket } from "../domain/tickets/ticket.js";
import type { TicketChange, TicketMatch, TicketPlayer, TicketRecord, TicketRef, TicketStatus } from "../domain/tickets/ticket-record.js";

/** How long an ended ticket can still be read (`matchTicket`), and the feed keeps its end. */
export const ENDED_TICKET_KEPT_MS = 3_600_000;
/** How far back a queue's feed reaches; a matcher that fell further behind reloads the pool. */
export const TICKET_FEED_KEPT_MS = 600_000;

/** Recent waits to a match a queue keeps (for a searching ticket's estimate). */
export const QUEUE_WAITS_KEPT = 100;

/** What a searching ticket's player may want to know about the queue around them. */
export interface QueueInsight {
  /** Searching tickets of the queue. */
  waiting: number;
  /** Searching tickets whose rating lies within [rating − window, rating + window] (the asker's included). */
  near: number;
  /** The last (up to QUEUE_WAITS_KEPT) waits from enqueue to match, in ms, newest first. */
  recentWaitsMs: number[];
}

/** A proposed match to commit: the tickets at the versions it was made from, and its new game. */
/** One proposed match of a batch (see MatchBatch). */
export interface MatchCommit {
  tickets: readonly { id: string; version: number }[];
  /** The new game with every ticket's players seated (version 1), built by the service. */
  game: GameRecord;
  /** How the match is made up; `gameId` is the game's. */
  match: Omit<TicketMatch, "gameId">;
}

/** Proposed matches of one queue, committed at `now` (see TicketStore.commitMatches). */
export interface MatchBatch {
  gameType: string;
  queueId: string;
  now: number;
  matches: readonly MatchCommit[];
}

export type CommitOutcome =
  /** The game is stored and every ticket is MATCHED to it, in one step. */
  | { status: "committed"; game: GameChangeRecord; tickets: TicketChange[] }
  /**
   * Nothing written: these tickets are no longer SEARCHING at the version proposed (none
   * named: the game's id was taken; the tickets still search).
   */
  | { status: "stale"; stale: string[] };

/** A searching ticket seated in an open game instead of a new one (a queue with `backfill`). */
export interface BackfillCommand {
  gameType: string;
  queueId: string;
  ticket: { id: string; version: number };
  /** The open public game to seat the ticket's players in. */
  gameId: string;
  /** The seats to take, the ticket's players in order. */
  players: readonly PlayerRecord[];
  joinable: StateTable;
  seatsFilled: StateTable;
  /** How the match is made up (the ticket's players as one team); `gameId` is the game's. */
  match: Omit<TicketMatch, "gameId">;
  now: number;
}

export type BackfillOutcome =
  /** Seated, and the ticket MATCHED to the game, in one step. */
  | { status: "seated"; game: GameChangeRecord; ticket: TicketChange }
  /** Nothing written: the ticket is no longer SEARCHING at that version. */
  | { status: "stale" }
  /** Nothing written: the game is gone, private, not taking players, full, or has one of them already. */
  | { status: "refused" };

/** The end of a searching ticket other than a match: a timeout (by the matcher) or a cancel. */
export interface TicketEnd {
  id: string;
  /** The version it was read at; null = whatever it is now (a cancel by its owner). */
  version: number | null;
  status: TicketStatus.TIMED_OUT | TicketStatus.CANCELLED;
  reason: string;
}

/** A searching ticket as a matcher pools it: its matcher view, and its players (a match's game seats them). */
export interface PooledTicket {
  ticket: Ticket;
  players: TicketPlayer[];
}

/** One entry of a queue's feed: a ticket started searching, or stopped. */
export type TicketFeedEntry = ({ kind: "searching" } & PooledTicket) | { kind: "ended"; id: string };

export type TicketFeedPage =
  /** What changed after the cursor, oldest first; `cursor` continues after it. */
  | { kind: "changes"; entries: TicketFeedEntry[]; cursor: string }
  /** The cursor is older than the feed reaches (or null): reload the pool with searchingTickets, then go on from `cursor`. */
  | { kind: "reload"; cursor: string };

/**
 * Where tickets live, next to their games (same backend, same type slot), so a match is
 * committed in one atomic step with the game it creates. Every method rejects with
 * BACKEND_UNAVAILABLE when the backend is away; refusals are MatchmakerErrors.
 */
export interface TicketStore {
  /**
   * Stores a new SEARCHING ticket (version 1). Refuses TICKET_ALREADY_QUEUED (details:
   * ticketId) when one of its players has a live ticket in the queue; nothing written.
   */
  enqueueTicket(ticket: TicketRecord): Promise<TicketChange>;
  /** The ticket, searching or ended within ENDED_TICKET_KEPT_MS; null otherwise. */
  getTicket(ref: TicketRef): Promise<TicketRecord | null>;
  /**
   * Cancels a SEARCHING ticket for its owner (or an admin). Either it wins (`cancelled`,
   * the ticket CANCELLED, its players in no game) or it loses with the definite answer: the
   * ticket as it ended (MATCHED with its game, TIMED_OUT, CANCELLED). TICKET_NOT_FOUND,
   * FORBIDDEN (not the owner).
   */
  cancelTicket(ref: TicketRef, actor: Actor, now: number): Promise<{ cancelled: boolean; ticket: TicketRecord }>;
  /** Ends tickets (timeouts) that are still SEARCHING at their version: one result each, null = stale (nothing written). */
  endTickets(gameType: string, ends: readonly TicketEnd[], now: number): Promise<(TicketChange | null)[]>;
  /**
   * Commits each proposed match of the batch in one atomic step of its own, or nothing of it
   * (see CommitOutcome): one outcome per match, in order. A match that is stale (also one
   * whose ticket an earlier match of the batch took) stops none of the others.
   */
  commitMatches(batch: MatchBatch): Promise<CommitOutcome[]>;
  /** Seats a searching ticket's players in an open game and marks it MATCHED to it, in one atomic step, or nothing. */
  backfillTicket(cmd: BackfillCommand): Promise<BackfillOutcome>;
  /** Every SEARCHING ticket of the queue, `limit` at a time, by enqueue time (cursor null = from the start). */
  searchingTickets(gameType: string, queueId: string, after: string | null, limit: number): Promise<{ tickets: PooledTicket[]; next: string | null }>;
  /** How many search in the queue, how many near `rating` (± `window`), and its recent waits to a match. */
  queueInsight(gameType: string, queueId: string, rating: number, window: number): Promise<QueueInsight>;
  /** What the queue did in the last QUEUE_ACTIVITY_MINUTES minutes before `now`: every process's ends and the matchers' failed rules. */
  queueActivity(gameType: string, queueId: string, now: number): Promise<QueueActivity>;
  /** Adds one tick's seed attempts that formed no match, by the rule that failed most, to the queue's activity. */
  countRuleFailures(gameType: string, queueId: string, failures: Readonly<Record<string, number>>, now: number): Promise<void>;
  /** The queue's feed after `cursor` (null = from now on: answers reload), at most `limit` entries. */
  ticketFeed(gameType: string, queueId: string, cursor: string | null, limit: number, now: number): Promise<TicketFeedPage>;
}
