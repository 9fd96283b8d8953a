import { ChangeKind, freeSeats, type GameRecord } from "../../domain/game.js";
import type { Ticket } from "../../domain/tickets/ticket.js";
import { matcherView, type TicketChange, type TicketPlayer, type TicketRecord, TicketStatus } from "../../domain/tickets/ticket-record.js";
import { ticketErrors } from "../ticket-errors.js";
import { activityField, activityMinute, activityMinutes, QUEUE_ACTIVITY_KEPT_MS, sumActivity } from "../queue-activity.js";
import type { CommitOutcome, PooledTicket, TicketFeedEntry, TicketStore } from "../ticket-store.js";
import type { RedisClient } from "../../redis/client.js";
import type { RedisKeys } from "./keys.js";
import { partyArg } from "./matchmaking.js";
import { changeOf, guarded, type ScriptReply } from "./replies.js";
import { ScriptCode, scriptError } from "./script-errors.js";
import type { ScriptRunner } from "./scripts.js";

export interface RedisTicketDeps {
  redis: RedisClient;
  keys: RedisKeys;
  run: ScriptRunner;
  timeoutsJson(type: string): string;
  /** A new game's static index keys, their scores, and its hash fields (as create takes them). */
  newGameArgs(game: GameRecord): { keys: string[]; scores: string[]; fields: string[] };
}

/** What never changes after enqueue: stored once as JSON (`j`), never re-encoded by Lua. */
type Fixed = Pick<TicketRecord, "id" | "gameType" | "queueId" | "ownerId" | "players" | "partyId" | "rating" | "latencies" | "enqueuedAt">;

/** A ticket hash as the record: its fields as a flat field/value list (a script's HGETALL) or an object (the client's). Throws on a malformed hash (a bug). */
export function decodeTicket(hash: readonly string[] | Readonly<Record<string, string>>): TicketRecord {
  let h: Readonly<Record<string, string>>;
  if (Array.isArray(hash)) {
    const o: Record<string, string> = {};
    for (let i = 0; i < hash.length; i += 2) o[hash[i]!] = hash[i + 1]!;
    h = o;
  } else h = hash as Readonly<Record<string, string>>;
  const fixed = JSON.parse(h.j!) as Fixed;
  return {
    ...fixed,
    status: h.s as TicketStatus,
    version: Number(h.v),
    updatedAt: Number(h.u),
    match: h.m === undefined ? null : (JSON.parse(h.m) as TicketRecord["match"]),
    reason: h.r ?? null,
  };
}


/** A stored matcher view (`w`: the view and the players) as the matcher pools it. Throws on malformed JSON (a bug). */
function pooledFrom(w: string): PooledTicket {
  const { players, ...ticket } = JSON.parse(w) as Ticket & { players: TicketPlayer[] };
  return { ticket, players };
}

/**
 * The Redis half of the ticket store: one Lua script per step on the game type's slot, so a
 * ticket's one outcome and a match's game are written together (see lua/ticket-*.lua).
 */
export function createRedisTickets(deps: RedisTicketDeps): TicketStore {
  const { redis, keys, run, timeoutsJson } = deps;
  /** The queue's keys, then the activity bucket an end at `now` counts into (scripts that end tickets). */
  const endKeys = (gameType: string, queueId: string, now: number) => [...keys.queueScriptKeys(gameType, queueId), keys.queueActivity(gameType, queueId, activityMinute(now))];

  const ended = (reply: ScriptReply | [number, string[]], previousStatus: TicketStatus): TicketChange => ({
    ticket: decodeTicket(reply[1] as unknown as string[]),
    previousStatus,
  });

  async function getTicket(ref: { gameType: string; id: string }): Promise<TicketRecord | null> {
    const flat = await guarded(() => redis.hgetall(keys.ticket(ref.gameType, ref.id)));
    if (!flat.j) return null;
    return decodeTicket(flat);
  }

  return {
    async enqueueTicket(ticket) {
      const t: TicketRecord = { ...ticket, status: TicketStatus.SEARCHING, version: 1, updatedAt: ticket.enqueuedAt, match: null, reason: null };
      const fixed: Fixed = {
        id: t.id,
        gameType: t.gameType,
        queueId: t.queueId,
        ownerId: t.ownerId,
        players: t.players,
        partyId: t.partyId,
        rating: t.rating,
        latencies: t.latencies,
        enqueuedAt: t.enqueuedAt,
      };
      const ids = t.players.map((p) => p.id);
      const args = [t.id, String(t.enqueuedAt), JSON.stringify(fixed), JSON.stringify(ids), t.ownerId, JSON.stringify({ ...matcherView(t), players: t.players }), String(t.rating), ...ids];
      const reply = (await guarded(() => run("ticketEnqueue", [keys.ticket(t.gameType, t.id), ...keys.queueScriptKeys(t.gameType, t.queueId)], args))) as ScriptReply;
      if (reply[0] === ScriptCode.TICKET_QUEUED) throw ticketErrors.alreadyQueued(String(reply[1]));
      if (reply[0] === ScriptCode.ID_TAKEN) throw ticketErrors.idTaken();
      if (reply[0] !== ScriptCode.OK) throw scriptError(reply[0], t.id, undefined);
      return { ticket: t, previousStatus: null };
    },

    getTicket,

    async cancelTicket(ref, actor, now) {
      const current = await getTicket(ref);
      if (!current) throw ticketErrors.notFound(ref.id);
      const args = [String(now), "", TicketStatus.CANCELLED, actor.id === current.ownerId ? "cancelled_by_owner" : "cancelled_by_admin", actor.id, actor.admin ? "1" : "0"];
      const [reply] = (await guarded(() => run("ticketEnd", [...endKeys(ref.gameType, current.queueId, now), keys.ticket(ref.gameType, ref.id)], args))) as [number, string[]][];
      if (reply![0] === ScriptCode.NOT_FOUND) throw ticketErrors.notFound(ref.id);
      if (reply![0] === ScriptCode.NOT_CREATOR) throw ticketErrors.notOwner(ref.id);
      if (reply![0] === ScriptCode.VERSION_CONFLICT) return { cancelled: false, ticket: decodeTicket(reply![1]) };
      return { cancelled: true, ticket: decodeTicket(reply![1]) };
    },

    async endTickets(gameType, ends, now) {
      if (ends.length === 0) return [];
      // Every end of one call must be of one queue (its keys); group them.
      const tickets = await Promise.all(ends.map((e) => getTicket({ gameType, id: e.id })));
      const out: (TicketChange | null)[] = ends.map(() => null);
      const byQueue = new Map<string, number[]>();
      tickets.forEach((t, i) => {
        if (!t) return;
        const list = byQueue.get(t.queueId);
        if (list) list.push(i);
        else byQueue.set(t.queueId, [i]);
      });
      await Promise.all(
        [...byQueue].map(async ([queueId, indexes]) => {
          const args = [String(now)];
          for (const i of indexes) {
            const e = ends[i]!;
            args.push(e.version === null ? "" : String(e.version), e.status, e.reason, "", "0");
          }
          const replies = (await guarded(() =>
            run("ticketEnd", [...endKeys(gameType, queueId, now), ...indexes.map((i) => keys.ticket(gameType, ends[i]!.id))], args),
          )) as [number, string[]][];
          indexes.forEach((i, k) => {
            if (replies[k]![0] === ScriptCode.OK) out[i] = ended(replies[k]!, TicketStatus.SEARCHING);
          });
        }),
      );
      return out;
    },

    async commitMatches(batch) {
      const { gameType, queueId, now, matches } = batch;
      if (matches.length === 0) return [];
      const scriptKeys = [...keys.gameScriptKeys(gameType, matches[0]!.game.id), ...endKeys(gameType, queueId, now)];
      const args = [String(now), timeoutsJson(gameType), String(matches.length)];
      for (const { game, tickets, match } of matches) {
        const n = deps.newGameArgs(game);
        scriptKeys.push(keys.game(gameType, game.id), ...tickets.map((t) => keys.ticket(gameType, t.id)), ...n.keys);
        args.push(JSON.stringify({ ...match, gameId: game.id }), String(tickets.length), ...tickets.map((t) => String(t.version)));
        args.push(String(game.createdAt), String(freeSeats(game)), String(n.keys.length), ...n.scores, String(n.fields.length), ...n.fields);
      }
      const replies = (await guarded(() => run("ticketCommit", scriptKeys, args))) as [number, ...unknown[]][];
      return replies.map((reply, i): CommitOutcome => {
        if (reply[0] === ScriptCode.VERSION_CONFLICT) return { status: "stale", stale: reply.slice(1) as string[] };
        if (reply[0] === ScriptCode.ID_TAKEN) return { status: "stale", stale: [] };
        if (reply[0] !== ScriptCode.OK) throw scriptError(reply[0], matches[i]!.game.id, undefined);
        const change = changeOf([ScriptCode.OK, reply[1] as string], ChangeKind.CREATED);
        const tickets = (reply[2] as string[][]).map((flat) => ({ ticket: decodeTicket(flat), previousStatus: TicketStatus.SEARCHING }));
        return { status: "committed", game: change, tickets };
      });
    },

    async backfillTicket(cmd) {
      const scriptKeys = [...keys.gameScriptKeys(cmd.gameType, cmd.gameId), ...endKeys(cmd.gameType, cmd.queueId, cmd.now), keys.ticket(cmd.gameType, cmd.ticket.id)];
      const args = [
        String(cmd.now),
        timeoutsJson(cmd.gameType),
        String(cmd.ticket.version),
        partyArg(cmd.players),
        JSON.stringify(cmd.joinable),
        JSON.stringify(cmd.seatsFilled),
        JSON.stringify({ ...cmd.match, gameId: cmd.gameId }),
      ];
      const reply = (await guarded(() => run("ticketBackfill", scriptKeys, args))) as [number, string?, string?, string[]?];
      if (reply[0] === ScriptCode.VERSION_CONFLICT) return { status: "stale" };
      if (reply[0] !== ScriptCode.OK) return { status: "refused" };
      return {
        status: "seated",
        game: changeOf([ScriptCode.OK, reply[1], reply[2]], ChangeKind.UPDATED),
        ticket: { ticket: decodeTicket(reply[3]!), previousStatus: TicketStatus.SEARCHING },
      };
    },

    async searchingTickets(gameType, queueId, after, limit) {
      const q = keys.queueKeys(gameType, queueId);
      // The cursor is the last ticket's "<enqueuedAt>:<id>".
      const at = after === null ? -1 : after.indexOf(":");
      const args = [at < 0 ? "" : after!.slice(at + 1), at < 0 ? "" : after!.slice(0, at), String(Math.max(1, Math.floor(limit))), keys.ticketPrefix(gameType)];
      const reply = (await guarded(() => run("ticketPage", [q.searching], args))) as (string | string[])[];
      const next = reply.pop() as string[];
      return { tickets: (reply as string[]).map(pooledFrom), next: next.length === 2 ? `${next[1]}:${next[0]}` : null };
    },

    async queueInsight(gameType, queueId, rating, window) {
      const q = keys.queueKeys(gameType, queueId);
      const [waiting, near, waits] = await guarded(() =>
        Promise.all([redis.zcard(q.searching), redis.zcount(q.byRating, String(rating - window), String(rating + window)), redis.lrange(q.waits, 0, -1)]),
      );
      return { waiting, near, recentWaitsMs: waits.map(Number) };
    },

    async queueActivity(gameType, queueId, now) {
      // One pipeline: the buckets share the type's slot, so one node answers all of them in one round trip.
      const p = redis.pipeline();
      for (const m of activityMinutes(now)) p.hgetall(keys.queueActivity(gameType, queueId, m));
      const buckets = await guarded(async () =>
        ((await p.exec()) ?? []).map(([err, b]) => {
          if (err) throw err;
          return Object.fromEntries(Object.entries(b as Record<string, string>).map(([f, n]) => [f, Number(n)]));
        }),
      );
      return sumActivity(buckets);
    },

    async countRuleFailures(gameType, queueId, failures, now) {
      const counted = Object.entries(failures).filter(([, n]) => n > 0);
      if (counted.length === 0) return;
      const key = keys.queueActivity(gameType, queueId, activityMinute(now));
      const tx = redis.multi();
      for (const [rule, n] of counted) tx.hincrby(key, activityField.rule(rule), n);
      tx.pexpire(key, QUEUE_ACTIVITY_KEPT_MS);
      await guarded(() => tx.exec());
    },

    async ticketFeed(gameType, queueId, cursor, limit) {
      const q = keys.queueKeys(gameType, queueId);
      const reply = (await guarded(() => run("ticketFeed", [q.feed, q.floor], [cursor ?? "", String(Math.max(1, Math.floor(limit)))]))) as [
        string,
        string | [string, string[]][],
      ];
      if (reply[0] === "reload") return { kind: "reload", cursor: reply[1] as string };
      const raw = reply[1] as [string, string[]][];
      const entries: TicketFeedEntry[] = raw.map(([, fields]) => {
        const f: Record<string, string> = {};
        for (let i = 0; i < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
        return f.k === "s" ? { kind: "searching", ...pooledFrom(f.w!) } : { kind: "ended", id: f.t! };
      });
      return { kind: "changes", entries, cursor: raw.at(-1)?.[0] ?? cursor! };
    },
  };
}
