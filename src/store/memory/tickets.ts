import type { GameChangeRecord, GameRecord } from "../../domain/game.js";
import { pooledOf, type TicketChange, type TicketRecord, TicketStatus } from "../../domain/tickets/ticket-record.js";
import { ticketErrors } from "../ticket-errors.js";
import { MatchmakerError } from "../../domain/errors.js";
import { activityField, activityMinute, activityMinutes, QUEUE_ACTIVITY_MINUTES, sumActivity } from "../queue-activity.js";
import { type BackfillCommand, type CommitOutcome, ENDED_TICKET_KEPT_MS, QUEUE_WAITS_KEPT, TICKET_FEED_KEPT_MS, type TicketFeedEntry, type TicketStore } from "../ticket-store.js";

/** A searching ticket's place in enqueue order, as searchingTickets' cursor. */
const positionOf = (t: TicketRecord) => `${String(t.enqueuedAt).padStart(15, "0")}:${t.id}`;

interface FeedItem {
  seq: number;
  at: number;
  entry: TicketFeedEntry;
}

/**
 * Tickets in memory (embedded mode), the twin of the Redis ticket scripts: the same
 * refusals, one outcome per ticket. `createGame` stores a match's game inside the same
 * synchronous step (JavaScript runs it to the end before anything else), which is what makes
 * each match of commitMatches atomic here.
 */
export function createMemoryTickets(
  /** Stores a match's new game; null (nothing written) when its id is taken. */
  createGame: (game: GameRecord) => GameChangeRecord | null,
  /** Seats players in an existing public game (the same checks as a join); throws its refusal before any write. */
  seatInGame: (cmd: BackfillCommand) => GameChangeRecord,
): TicketStore {
  const tickets = new Map<string, TicketRecord>();
  /** Ended tickets by when they end for good (insertion order = end order). */
  const ended = new Map<string, number>();
  /** Per queue: player id → their live ticket's id. */
  const live = new Map<string, Map<string, string>>();
  const feeds = new Map<string, { items: FeedItem[]; trimmedTo: number }>();
  /** Per queue: the last QUEUE_WAITS_KEPT waits to a match, newest first. */
  const waits = new Map<string, number[]>();
  /** Per queue: activity buckets by minute (field → count), the last QUEUE_ACTIVITY_MINUTES kept. */
  const activity = new Map<string, Map<number, Record<string, number>>>();
  let seq = 0;

  const queueKey = (gameType: string, queueId: string) => `${gameType}\u0000${queueId}`;
  const copy = (t: TicketRecord): TicketRecord => structuredClone(t);
  const purge = (now: number) => {
    for (const [id, until] of ended) {
      if (until > now) break;
      ended.delete(id);
      tickets.delete(id);
    }
  };
  const feed = (t: TicketRecord, now: number) => {
    const key = queueKey(t.gameType, t.queueId);
    let f = feeds.get(key);
    if (!f) feeds.set(key, (f = { items: [], trimmedTo: 0 }));
    const entry: TicketFeedEntry = t.status === TicketStatus.SEARCHING ? { kind: "searching", ...pooledOf(t) } : { kind: "ended", id: t.id };
    f.items.push({ seq: ++seq, at: now, entry });
    let drop = 0;
    while (drop < f.items.length && f.items[drop]!.at < now - TICKET_FEED_KEPT_MS) drop++;
    if (drop > 0) f.trimmedTo = f.items.splice(0, drop).at(-1)!.seq;
  };
  const count = (gameType: string, queueId: string, now: number, fields: readonly string[], n = 1) => {
    const key = queueKey(gameType, queueId);
    let byMinute = activity.get(key);
    if (!byMinute) activity.set(key, (byMinute = new Map()));
    const minute = activityMinute(now);
    for (const m of byMinute.keys()) if (m <= minute - QUEUE_ACTIVITY_MINUTES) byMinute.delete(m);
    let bucket = byMinute.get(minute);
    if (!bucket) byMinute.set(minute, (bucket = {}));
    for (const f of fields) bucket[f] = (bucket[f] ?? 0) + n;
  };
  /** Ends a searching ticket (caller checked it), in the same step as its other writes. */
  const end = (t: TicketRecord, to: Partial<TicketRecord> & { status: TicketStatus }, now: number): TicketChange => {
    const previousStatus = t.status;
    Object.assign(t, to, { version: t.version + 1, updatedAt: now });
    const players = live.get(queueKey(t.gameType, t.queueId));
    for (const p of t.players) if (players?.get(p.id) === t.id) players.delete(p.id);
    ended.set(t.id, now + ENDED_TICKET_KEPT_MS);
    feed(t, now);
    count(t.gameType, t.queueId, now, activityField.ended(t.status, t.reason));
    return { ticket: copy(t), previousStatus };
  };

  return {
    async enqueueTicket(ticket) {
      purge(ticket.enqueuedAt);
      const key = queueKey(ticket.gameType, ticket.queueId);
      let players = live.get(key);
      if (!players) live.set(key, (players = new Map()));
      for (const p of ticket.players) {
        const other = players.get(p.id);
        if (other !== undefined) throw ticketErrors.alreadyQueued(other);
      }
      if (tickets.has(ticket.id)) throw ticketErrors.idTaken();
      const t = copy({ ...ticket, status: TicketStatus.SEARCHING, version: 1, updatedAt: ticket.enqueuedAt, match: null, reason: null });
      tickets.set(t.id, t);
      for (const p of t.players) players.set(p.id, t.id);
      feed(t, t.enqueuedAt);
      return { ticket: copy(t), previousStatus: null };
    },

    async getTicket(ref) {
      const t = tickets.get(ref.id);
      return t && t.gameType === ref.gameType ? copy(t) : null;
    },

    async cancelTicket(ref, actor, now) {
      purge(now);
      const t = tickets.get(ref.id);
      if (!t || t.gameType !== ref.gameType) throw ticketErrors.notFound(ref.id);
      if (!actor.admin && actor.id !== t.ownerId) throw ticketErrors.notOwner(ref.id);
      if (t.status !== TicketStatus.SEARCHING) return { cancelled: false, ticket: copy(t) };
      const reason = actor.id === t.ownerId ? "cancelled_by_owner" : "cancelled_by_admin";
      return { cancelled: true, ticket: end(t, { status: TicketStatus.CANCELLED, reason }, now).ticket };
    },

    async endTickets(gameType, ends, now) {
      return ends.map((e) => {
        const t = tickets.get(e.id);
        if (!t || t.gameType !== gameType || t.status !== TicketStatus.SEARCHING) return null;
        if (e.version !== null && t.version !== e.version) return null;
        return end(t, { status: e.status, reason: e.reason }, now);
      });
    },

    async commitMatches(batch) {
      const { gameType, queueId, now } = batch;
      return batch.matches.map((commit): CommitOutcome => {
        const stale = commit.tickets
          .filter((r) => {
            const t = tickets.get(r.id);
            return !t || t.gameType !== gameType || t.queueId !== queueId || t.status !== TicketStatus.SEARCHING || t.version !== r.version;
          })
          .map((r) => r.id);
        if (stale.length > 0) return { status: "stale", stale };
        const game = createGame(commit.game);
        // The id was taken (nothing written): the tickets search on.
        if (!game) return { status: "stale", stale: [] };
        const match = { ...commit.match, gameId: game.gameId };
        const key = queueKey(gameType, queueId);
        const recent = waits.get(key) ?? [];
        for (const r of commit.tickets) recent.unshift(Math.max(0, now - tickets.get(r.id)!.enqueuedAt));
        waits.set(key, recent.slice(0, QUEUE_WAITS_KEPT));
        const changes = commit.tickets.map((r) => end(tickets.get(r.id)!, { status: TicketStatus.MATCHED, match }, now));
        return { status: "committed", game, tickets: changes };
      });
    },

    async backfillTicket(cmd) {
      const t = tickets.get(cmd.ticket.id);
      if (!t || t.gameType !== cmd.gameType || t.queueId !== cmd.queueId || t.status !== TicketStatus.SEARCHING || t.version !== cmd.ticket.version) {
        return { status: "stale" };
      }
      let game: GameChangeRecord;
      try {
        game = seatInGame(cmd);
      } catch (err) {
        if (err instanceof MatchmakerError) return { status: "refused" };
        throw err;
      }
      const key = queueKey(cmd.gameType, cmd.queueId);
      waits.set(key, [Math.max(0, cmd.now - t.enqueuedAt), ...(waits.get(key) ?? [])].slice(0, QUEUE_WAITS_KEPT));
      return { status: "seated", game, ticket: end(t, { status: TicketStatus.MATCHED, match: { ...cmd.match, gameId: cmd.gameId } }, cmd.now) };
    },

    async searchingTickets(gameType, queueId, after, limit) {
      const all = [...tickets.values()]
        .filter((t) => t.gameType === gameType && t.queueId === queueId && t.status === TicketStatus.SEARCHING)
        .map((t) => ({ t, at: positionOf(t) }))
        .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
      const rest = after === null ? all : all.filter((x) => x.at > after);
      const page = rest.slice(0, Math.max(1, Math.floor(limit)));
      return { tickets: page.map((x) => pooledOf(x.t)), next: rest.length > page.length ? page.at(-1)!.at : null };
    },

    async queueInsight(gameType, queueId, rating, window) {
      // Embedded mode holds one process's players: a pass over them is the bound.
      let waiting = 0;
      let near = 0;
      for (const t of tickets.values()) {
        if (t.gameType !== gameType || t.queueId !== queueId || t.status !== TicketStatus.SEARCHING) continue;
        waiting++;
        if (t.rating >= rating - window && t.rating <= rating + window) near++;
      }
      return { waiting, near, recentWaitsMs: [...(waits.get(queueKey(gameType, queueId)) ?? [])] };
    },

    async queueActivity(gameType, queueId, now) {
      const byMinute = activity.get(queueKey(gameType, queueId));
      return sumActivity(activityMinutes(now).map((m) => byMinute?.get(m) ?? {}));
    },

    async countRuleFailures(gameType, queueId, failures, now) {
      for (const [rule, n] of Object.entries(failures)) if (n > 0) count(gameType, queueId, now, [activityField.rule(rule)], n);
    },

    async ticketFeed(gameType, queueId, cursor, limit) {
      const f = feeds.get(queueKey(gameType, queueId)) ?? { items: [], trimmedTo: 0 };
      const after = cursor === null ? NaN : Number(cursor);
      // Unknown, or older than the feed reaches (entries after it may be gone): reload.
      if (!Number.isSafeInteger(after) || after < f.trimmedTo || after > seq) return { kind: "reload", cursor: String(seq) };
      const page = f.items.filter((i) => i.seq > after).slice(0, Math.max(1, Math.floor(limit)));
      return { kind: "changes", entries: page.map((i) => i.entry), cursor: String(page.at(-1)?.seq ?? after) };
    },
  };
}
