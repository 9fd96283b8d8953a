import { badInput, ErrorCode, MatchmakerError } from "../domain/errors.js";
import type { Actor } from "../domain/game.js";
import type { PartyMember, PartyRecord } from "../domain/party.js";
import type { GameTypeDef } from "../domain/game-type.js";
import type { QueueConfig } from "../domain/tickets/queue.js";
import { checkLatencies, MAX_TICKET_REGIONS, validateTicket } from "../domain/tickets/ticket.js";
import { LINEAR_WINDOW_PUSH_MS, nextWideningAt, waitAt, windowAt } from "../domain/tickets/window.js";
import { matcherView, newTicketId, parseTicketId, type TicketChange, type TicketRecord, TicketStatus } from "../domain/tickets/ticket-record.js";
import type { Watcher } from "../bus/watcher.js";
import { ticketErrors } from "../store/ticket-errors.js";
import { type QueueActivity, sumActivity } from "../store/queue-activity.js";
import { type Percentiles, percentiles } from "../domain/percentiles.js";
import type { PartyOps } from "./party-ops.js";
import { ticketWatcher } from "./ticket-watch.js";
import type { ServiceContext } from "./service-context.js";

export interface EnqueueTicketParams {
  gameType: string;
  queue: string;
  /**
   * The queue's rating attribute for the caller (or their party: its agreed rating). Required when
   * the queue's ratings come from input; optional when they come from tokens (then, if given, it
   * must be the one the tokens give).
   */
  rating?: number | null;
  /** Round-trip ms per region; required by a queue with a region rule. */
  latencies?: Readonly<Record<string, number>> | null;
  /** A party the caller leads: its members search together, in one team. */
  partyId?: string | null;
}

/**
 * A new ticket's rating. From input: the client's (BAD_USER_INPUT when missing). From tokens: the
 * caller's `ratings.<attribute>` claim, for a party the mean of its members' (the caller's from
 * this token, the others' from the token each joined with, while that token has not expired);
 * FORBIDDEN naming whoever has none (or only an expired one), BAD_USER_INPUT when the client sent
 * another rating.
 */
function ticketRating(queue: QueueConfig, actor: Actor, party: PartyRecord | null, given: number | null | undefined, now: number): number {
  const attribute = queue.rating.attribute;
  if ((queue.rating.source ?? "input") === "input") {
    if (given == null) throw badInput(`Queue "${queue.id}" needs your rating (${attribute}).`);
    return given;
  }
  // The caller's ratings are from the token checked on this request; another member's may have expired since they joined.
  const caller: Pick<PartyMember, "id" | "ratings" | "ratingsUntil"> = { id: actor.id, ratings: actor.ratings };
  const members = party ? party.members.map((m) => (m.id === actor.id ? caller : m)) : [caller];
  const ratings = members.map((m) => {
    const r = m.ratings && Object.hasOwn(m.ratings, attribute) ? m.ratings[attribute] : undefined;
    if (typeof r === "number" && m.ratingsUntil !== undefined && m.ratingsUntil <= now) {
      throw new MatchmakerError(
        ErrorCode.FORBIDDEN,
        `Queue "${queue.id}" takes ratings from player tokens, and the token ${m.id} joined the party with has expired: they rejoin it with their current token.`,
        { reason: "stale_token_rating" },
      );
    }
    if (typeof r !== "number") {
      const whose = m.id === actor.id ? "your token has" : `${m.id}'s token had, when they joined the party,`;
      throw new MatchmakerError(ErrorCode.FORBIDDEN, `Queue "${queue.id}" takes ratings from player tokens (claim ratings.${attribute}, a number), and ${whose} none.`, {
        reason: "no_token_rating",
      });
    }
    return r;
  });
  // Each rating is within ±LIMITS.rating (ratingsClaim), so the sum stays finite.
  const rating = ratings.reduce((a, b) => a + b, 0) / ratings.length;
  // A party's mean, computed by a client, may differ in its last bits.
  if (given != null && Math.abs(given - rating) > 1e-9 * Math.max(1, Math.abs(rating))) {
    throw badInput(`Queue "${queue.id}" takes ratings from player tokens: ${party ? "your party's" : "yours"} is ${rating}. Leave rating out, or send that.`, {
      reason: "rating_not_from_token",
    });
  }
  return rating;
}

/** The queue of a type, or BAD_USER_INPUT naming the queues there are. */
export function queueOf(type: GameTypeDef, id: string): QueueConfig {
  const q = type.queues?.find((c) => c.id === id);
  if (q) return q;
  const names = (type.queues ?? []).map((c) => `"${c.id}"`).join(", ");
  throw badInput(`Game type "${type.id}" has no queue "${id}"${names ? ` (its queues: ${names})` : " (it has no queues)"}.`);
}

/** The lower median; null for none. Never throws. */
const median = (values: readonly number[]): number | null => (values.length > 0 ? percentiles(values).p50 : null);

/** A queue with how it is doing (gameType.queues). */
export interface QueueReport {
  queue: QueueConfig;
  waiting: number;
  estimatedWaitMs: number | null;
  /** The last QUEUE_WAITS_KEPT waits to a match (ms); null before the first. */
  waits: Percentiles | null;
  activity: QueueActivity;
}

const canSee = (t: TicketRecord, actor: Actor) => actor.admin || t.players.some((p) => p.id === actor.id);

/** Enqueue, cancel, read and watch tickets; the matcher itself runs in the worker (ticket-matcher.ts). */
export function createTicketOps(ctx: ServiceContext, parties: PartyOps) {
  const { store, bus, now, gameType } = ctx;

  async function publishTicket(change: TicketChange): Promise<void> {
    try {
      await bus.publishTicket(change);
    } catch (err) {
      ctx.logger.error({ err, ticketId: change.ticket.id, version: change.ticket.version }, "publishing a ticket change failed");
    }
  }

  function refOf(id: string) {
    const ref = parseTicketId(id);
    if (!ref || !ctx.catalog.get(ref.gameType)) throw ticketErrors.notFound(id);
    return ref;
  }

  /** The catalog's queue of a ticket; undefined when the catalog no longer has it. */
  const queueConfigOf = (t: TicketRecord): QueueConfig | undefined => ctx.catalog.get(t.gameType)?.queues?.find((q) => q.id === t.queueId);

  /** A SEARCHING ticket's rating half-width now (it widens with the wait); null once it ended. Never throws. */
  function ticketWindow(t: TicketRecord): number | null {
    if (t.status !== TicketStatus.SEARCHING) return null;
    const queue = queueConfigOf(t);
    return queue ? windowAt(queue, waitAt(t.enqueuedAt, now())) : null;
  }

  return {
    publishTicket,
    ticketWindow,

    /**
     * Files a SEARCHING ticket for the caller, or for the party they lead (its members
     * joined it themselves: that is their consent to search together). Rejects with
     * UNKNOWN_GAME_TYPE, BAD_USER_INPUT (queue, rating, latencies, a party the queue cannot
     * take), PARTY_NOT_FOUND, FORBIDDEN (not the party's leader), TICKET_ALREADY_QUEUED.
     */
    async enqueueMatchTicket(actor: Actor, p: EnqueueTicketParams): Promise<TicketRecord> {
      const type = gameType(p.gameType);
      const queue = queueOf(type, p.queue);
      const latencies = p.latencies ? { ...p.latencies } : null;
      if (latencies && Object.keys(latencies).length > MAX_TICKET_REGIONS) throw badInput(`At most ${MAX_TICKET_REGIONS} latencies per ticket.`);
      if (latencies && Object.keys(latencies).length > 0) {
        const c = checkLatencies(latencies);
        if (!c.ok) throw badInput(c.message, { reason: c.reason });
      }
      const { group, party } = await parties.seatGroup(actor, p.partyId, type);
      const t = now();
      const rating = ticketRating(queue, actor, party, p.rating, t);
      const ticket: TicketRecord = {
        id: newTicketId(type.id),
        gameType: type.id,
        queueId: queue.id,
        status: TicketStatus.SEARCHING,
        version: 1,
        ownerId: actor.id,
        players: group.ids.map((id) => ({ id, name: group.names.get(id) ?? id })),
        partyId: group.party?.id ?? null,
        rating,
        latencies,
        enqueuedAt: t,
        updatedAt: t,
        match: null,
        reason: null,
      };
      const check = validateTicket(queue, matcherView(ticket));
      if (!check.ok) throw badInput(check.message, { reason: check.reason });
      const change = await store.enqueueTicket(ticket);
      await publishTicket(change);
      return change.ticket;
    },

    /**
     * Cancels the caller's ticket: `cancelled` when it won (the ticket is CANCELLED, nobody
     * of it in a game); otherwise the ticket as it ended (MATCHED with its game, TIMED_OUT).
     * Rejects with TICKET_NOT_FOUND (also for a ticket the caller is not in), FORBIDDEN
     * (a party member who is not its owner).
     */
    async cancelMatchTicket(actor: Actor, id: string): Promise<{ cancelled: boolean; ticket: TicketRecord }> {
      const ref = refOf(id);
      const current = await store.getTicket(ref);
      if (!current || !canSee(current, actor)) throw ticketErrors.notFound(id);
      const out = await store.cancelTicket(ref, actor, now());
      if (out.cancelled) await publishTicket({ ticket: out.ticket, previousStatus: TicketStatus.SEARCHING });
      return out;
    },

    /**
     * For a SEARCHING ticket: its window now, how many search in its queue and how many within
     * that window, and an estimate of the wait (the median of the queue's recent waits to a
     * match; null before any). null once the ticket ended. Rejects with BACKEND_UNAVAILABLE.
     */
    async ticketInsight(t: TicketRecord): Promise<{ window: number; waiting: number; near: number; estimatedWaitMs: number | null } | null> {
      const window = ticketWindow(t);
      if (window === null) return null;
      const i = await store.queueInsight(t.gameType, t.queueId, t.rating, window);
      return { window, waiting: i.waiting, near: i.near, estimatedWaitMs: median(i.recentWaitsMs) };
    },

    /**
     * A type's queues with how they are doing (public, as the lobby is): searching now, the
     * recent waits to a match (median and percentiles of the last QUEUE_WAITS_KEPT), and what
     * ended and which rules failed in the last QUEUE_ACTIVITY_MINUTES minutes. Rejects with
     * UNKNOWN_GAME_TYPE, BACKEND_UNAVAILABLE.
     */
    async matchQueues(gameTypeId: string): Promise<QueueReport[]> {
      const type = gameType(gameTypeId);
      const t = now();
      return Promise.all(
        (type.queues ?? []).map(async (queue) => {
          const [i, activity] = await Promise.all([
            store.queueInsight(type.id, queue.id, 0, 0),
            // The figures around it still show when only these counts cannot be read.
            store.queueActivity(type.id, queue.id, t).catch((err: unknown) => {
              ctx.logger.warn({ err, gameType: type.id, queue: queue.id }, "reading a queue's recent activity failed");
              return sumActivity([]);
            }),
          ]);
          const waits = i.recentWaitsMs.length === 0 ? null : percentiles(i.recentWaitsMs);
          return { queue, waiting: i.waiting, estimatedWaitMs: waits?.p50 ?? null, waits, activity };
        }),
      );
    },

    /** The ticket, to its players and admins; null for anyone else and once it is forgotten. */
    async matchTicket(actor: Actor | null, id: string): Promise<TicketRecord | null> {
      if (!actor) return null;
      const ref = parseTicketId(id);
      if (!ref || !ctx.catalog.get(ref.gameType)) return null;
      const t = await store.getTicket(ref);
      return t && canSee(t, actor) ? t : null;
    },

    /**
     * The ticket's changes for its players (and admins): first the ticket as it is now when
     * its version is past `afterVersion` (a reconnecting client passes the last version it
     * saw, and misses nothing), then every later change, until it ends (that change is the
     * last); while it searches, the ticket again (same version) each time its window widens —
     * at each step, every LINEAR_WINDOW_PUSH_MS of a linear widening. Rejects with
     * UNAUTHENTICATED, TICKET_NOT_FOUND.
     */
    async watchTicket(actor: Actor | null, id: string, afterVersion: number | null): Promise<Watcher<TicketChange>> {
      if (!actor) throw new MatchmakerError(ErrorCode.UNAUTHENTICATED, "matchTicketChanged needs a player token.");
      const ref = refOf(id);
      // Subscribed (and confirmed by the backend) before the read, so nothing between the two is missed.
      const source = bus.subscribe<TicketChange>([bus.topics.ticket(ref.id)]);
      let current: TicketRecord | null;
      try {
        await source.ready;
        current = await store.getTicket(ref);
      } catch (err) {
        await source.return();
        throw err;
      }
      if (!current || !canSee(current, actor)) {
        await source.return();
        throw ticketErrors.notFound(id);
      }
      const queue = queueConfigOf(current);
      return ticketWatcher({
        source,
        current,
        seen: Math.min(afterVersion ?? 0, current.version),
        widensAt: (t, after) => {
          const next = queue ? nextWideningAt(queue, waitAt(t.enqueuedAt, after), LINEAR_WINDOW_PUSH_MS) : null;
          return next === null ? null : t.enqueuedAt + next;
        },
        now,
      });
    },
  };
}

export type TicketOps = ReturnType<typeof createTicketOps>;
