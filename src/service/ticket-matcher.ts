import { ErrorCode } from "../domain/errors.js";
import { type GameRecord, type GameState, newGameRecord, Visibility } from "../domain/game.js";
import type { GameTypeDef } from "../domain/game-type.js";
import { newGameId } from "../domain/ids.js";
import { type ProposedMatch, tick, type TickResult } from "../domain/tickets/matcher.js";
import { TicketPool } from "../domain/tickets/pool.js";
import type { QueueConfig } from "../domain/tickets/queue.js";
import { TicketStatus } from "../domain/tickets/ticket-record.js";
import type { CommitOutcome, PooledTicket } from "../store/ticket-store.js";
import { isCode, JOINABLE, SEATS_FILLED, type Seating } from "./seating.js";
import { normalizeFilter, SortDirection, SortField } from "../domain/filter.js";
import { TIMEOUT_REASONS } from "../domain/tickets/queue.js";
import { windowAt } from "../domain/tickets/window.js";
import type { ServiceContext } from "./service-context.js";
import type { TicketOps } from "./ticket-ops.js";

/** Feed entries and searching tickets read per call while a matcher catches up. */
const PAGE = 1_000;
/** Open games one backfill looks at, fewest free seats first. */
const BACKFILL_CANDIDATES = 3;
/** Wall time one tick spends on backfills at most (their game-server calls on a hosted type). */
const BACKFILL_BUDGET_MS = 250;
/** The states in which a game takes players (JOINABLE's rows). */
const BACKFILL_STATES = Object.keys(JOINABLE) as GameState[];
/**
 * Commits a hosted type's tick keeps in flight at once: each waits on the game server, and
 * all of a large tick at once would hold every call's arguments and replies alive together.
 */
const COMMITS_IN_FLIGHT = 64;
/**
 * Matches of a type without a server committed in one store call: what a call costs (on
 * Redis a script's start, the queue's writes, one write per index) is shared by all of them.
 */
const COMMIT_BATCH = 32;
/** Batches in flight at once: Node builds the next while Redis runs one (they overlap). */
const BATCHES_IN_FLIGHT = 4;
const zeroFailures = () => Object.fromEntries(TIMEOUT_REASONS.map((r) => [r, 0])) as QueueTickStats["failures"];

export interface QueueTickStats {
  /** Tickets in the pool after the tick (still searching). */
  waiting: number;
  /** Tickets matched, backfilled ones included. */
  matched: number;
  /** Of those, seated in an open game (a queue with `backfill`). */
  backfilled: number;
  timedOut: number;
  /** Proposals that lost a race (a ticket cancelled or matched elsewhere meanwhile). */
  stale: number;
  /** Waits (ms) of the tickets matched in this tick. */
  waitsMs: number[];
  failures: TickResult["failures"];
  timeouts: Record<string, number>;
}

/**
 * One queue's matcher: keeps a pool of its searching tickets current from the store's feed,
 * runs the deterministic tick, and commits each proposal in one atomic store step (so any
 * number of matchers, in any processes, never put a ticket in two games: the loser of a race
 * finds its proposal stale and puts the tickets that still search back in its pool).
 */
export function createQueueMatcher(ctx: ServiceContext, seating: Seating, tickets: TicketOps, type: GameTypeDef, queue: QueueConfig) {
  const { store, now, publish, gameServers } = ctx;
  let pool = new TicketPool();
  /** What the pool holds (and what a proposal took out of it until its commit settles), by ticket id. */
  let known = new Map<string, PooledTicket>();
  let cursor: string | null = null;
  // A match's game has the type's default settings: computed once, not validated per match.
  const settings = ctx.validateSettings(type, undefined);

  /** Tickets that entered the pool since the last tick: with `backfill`, they try open games first. */
  // A set: a ticket read again on a reload is not tried twice in one round.
  const arrivals = new Set<string>();
  const pooled = (p: PooledTicket, into: TicketPool, map: Map<string, PooledTicket>) => {
    if (into.add(p.ticket)) {
      map.set(p.ticket.id, p);
      if (queue.backfill) arrivals.add(p.ticket.id);
    }
  };

  async function reload(next: string): Promise<void> {
    const fresh = new TicketPool();
    const map = new Map<string, PooledTicket>();
    let after: string | null = null;
    do {
      const page = await store.searchingTickets(type.id, queue.id, after, PAGE);
      for (const t of page.tickets) pooled(t, fresh, map);
      after = page.next;
    } while (after !== null);
    pool = fresh;
    known = map;
    cursor = next;
  }

  async function sync(): Promise<void> {
    for (;;) {
      const page = await store.ticketFeed(type.id, queue.id, cursor, PAGE, now());
      if (page.kind === "reload") {
        await reload(page.cursor);
        continue;
      }
      for (const e of page.entries) {
        if (e.kind === "searching") pooled(e, pool, known);
        else {
          pool.remove(e.id);
          known.delete(e.id);
        }
      }
      cursor = page.cursor;
      if (page.entries.length < PAGE) return;
    }
  }

  /**
   * The new game of a match: every ticket's players seated, private (nobody else joins it), full,
   * with its teams.
   */
  function gameOf(m: ProposedMatch, records: readonly PooledTicket[], t: number): GameRecord {
    const hosted = gameServers.hasServer(type);
    const reservedUntil = hosted ? t + type.seatReservationSeconds * 1_000 : null;
    const players = records.flatMap((r) => r.players).map((p, i) => ({
      id: p.id,
      name: p.name,
      joinedAt: t,
      // The first player hosts: their seat is theirs at once, the others hold theirs until they connect.
      confirmed: !hosted || i === 0,
      reservedUntil: !hosted || i === 0 ? null : reservedUntil,
    }));
    return newGameRecord(newGameId(type.id), {
      gameType: type.id,
      creatorId: players[0]!.id,
      players,
      capacity: players.length,
      visibility: Visibility.PRIVATE,
      // The game is in the match's region when the type knows that region (as a created game must be).
      region: m.region !== null && (type.regions.length === 0 || type.regions.includes(m.region)) ? m.region : null,
      settings: structuredClone(settings),
      labels: {},
      hosted,
      now: t,
      match: {
        queueId: queue.id,
        teams: teamsOf(m, records),
        teamRatings: [...m.teamRatings],
        teamDifference: m.teamDifference,
        ratingSpread: m.ratingSpread,
      },
    });
  }

  /**
   * Commits proposals in one store call (a hosted type's one at a time: its server makes each
   * game first); the tickets of one that did not stand and still search go back in the pool.
   */
  async function commit(ms: readonly ProposedMatch[], stats: QueueTickStats): Promise<void> {
    const t = now();
    const hosted = gameServers.hasServer(type);
    const proposals = ms.map((m) => {
      const records = m.tickets.map((r) => known.get(r.id)!);
      return { m, records, game: gameOf(m, records, t) };
    });
    if (hosted) {
      if (proposals.length !== 1) throw new Error("a hosted type's matches are committed one at a time");
      const { game, records } = proposals[0]!;
      // The server's game first, every seat on it, and its token in the game as committed: a
      // ticket is never MATCHED to a game its host cannot connect to yet (a client that reads
      // the ticket between the commit and a later token write would get no token).
      try {
        game.serverToken = (await gameServers.createGame(type, game.id, game.creatorId, game.players[0]!.name)).gameToken;
      } catch (err) {
        ctx.logger.warn({ err, queue: queue.id, gameType: type.id }, "the game server did not create a matched game; the tickets search on");
        if (isCode(err, ErrorCode.GAME_SERVER_UNAVAILABLE)) await ctx.removeGameLater(type, game.id);
        for (const r of records) pool.add(r.ticket);
        return;
      }
      try {
        await seating.serverJoinAll(type, game.id, game.players.slice(1));
      } catch (err) {
        // Nothing is committed yet: no match is made that some of its players could not play.
        ctx.logger.warn({ err, queue: queue.id, gameId: game.id }, "join_game for a matched game failed; the tickets search on");
        await ctx.removeGameLater(type, game.id);
        for (const r of records) pool.add(r.ticket);
        return;
      }
    }
    const outcomes = await store.commitMatches({
      gameType: type.id,
      queueId: queue.id,
      now: t,
      matches: proposals.map(({ m, game }) => {
        const { queueId: _queue, ...match } = game.match!;
        return { tickets: m.tickets, game, match: { ...match, region: m.region } };
      }),
    }).catch(async (err: unknown) => {
      // A hosted game whose commit is unknown: the write may have happened with only the answer
      // lost. Its server game goes only if the store surely does not have it.
      if (hosted) {
        const ref = { gameType: type.id, id: proposals[0]!.game.id };
        if ((await store.get(ref).catch(() => undefined)) === null) await ctx.removeGameLater(type, ref.id);
      }
      throw err;
    });
    await Promise.all(outcomes.map((out, i) => settle(proposals[i]!.records, proposals[i]!.game, out, stats)));
  }

  /** What follows a proposal's commit: the game and its tickets published, or the tickets back in the pool (and a hosted game off its server). */
  async function settle(records: readonly PooledTicket[], game: GameRecord, out: CommitOutcome, stats: QueueTickStats): Promise<void> {
    if (out.status === "stale") {
      if (game.serverToken !== null) await ctx.removeGameLater(type, game.id);
      for (const r of records) if (!out.stale.includes(r.ticket.id)) pool.add(r.ticket);
      for (const id of out.stale) known.delete(id);
      stats.stale += 1;
      return;
    }
    for (const c of out.tickets) {
      known.delete(c.ticket.id);
      stats.waitsMs.push(c.ticket.updatedAt - c.ticket.enqueuedAt);
    }
    stats.matched += out.tickets.length;
    // The game first, so a player told of the match finds it; each ticket's topic is its own.
    await publish(out.game);
    await Promise.all(out.tickets.map((c) => tickets.publishTicket(c)));
  }

  /**
   * Seats a newly searching ticket in an open public game whose rating label lies within the
   * ticket's window (fewest free seats first, at most BACKFILL_CANDIDATES looked at), in one
   * atomic store step with its MATCHED end. On a hosted type, as a join does: join_game for
   * each of its players first (a game whose server game is still being made is passed over),
   * undone with remove_player when the seats are not taken; the seats stay reserved until the
   * server confirms each player. Answers whether it was seated.
   */
  async function backfill(p: PooledTicket, t: number, stats: QueueTickStats): Promise<boolean> {
    const w = windowAt(queue, Math.max(0, t - p.ticket.enqueuedAt));
    const r = p.ticket.rating;
    const filter = normalizeFilter(
      { gameType: type.id, states: [...BACKFILL_STATES], minFreeSeats: p.players.length, labels: [{ key: queue.rating.attribute, between: [r - w, r + w] }] },
      [type],
      () => type,
    );
    const page = await store.list({ filter, sort: { field: SortField.FREE_SEATS, direction: SortDirection.ASC }, first: BACKFILL_CANDIDATES, after: null });
    const hosted = gameServers.hasServer(type);
    const reservedUntil = hosted ? t + type.seatReservationSeconds * 1_000 : null;
    const seats = p.players.map((x) => ({ id: x.id, name: x.name, joinedAt: t, confirmed: !hosted, reservedUntil }));
    for (const { game } of page.items) {
      // One of them is seated there already (e.g. by another worker's backfill of this ticket): not a candidate.
      if (game.players.some((x) => seats.some((y) => y.id === x.id))) continue;
      if (hosted) {
        if (game.serverToken === null) continue;
        try {
          await seating.serverJoinAll(type, game.id, seats);
        } catch (err) {
          ctx.logger.info({ err, gameId: game.id, queue: queue.id }, "the game server did not take a backfilled ticket's players; trying the next game");
          continue;
        }
      }
      // Rejects when the store is away: the seats may have been taken; unconfirmed ones expire by themselves.
      const out = await store.backfillTicket({
        gameType: type.id,
        queueId: queue.id,
        ticket: { id: p.ticket.id, version: p.ticket.version },
        gameId: game.id,
        players: seats,
        joinable: JOINABLE,
        seatsFilled: SEATS_FILLED,
        match: { teams: [p.players.map((x) => x.id)], teamRatings: [r], teamDifference: 0, ratingSpread: 0, region: game.region },
        now: t,
      });
      if (out.status !== "seated" && hosted) {
        // Undo only the joins of players the game does not hold now: another worker may have
        // seated this very ticket there meanwhile (then this one is stale), and kicking them would
        // undo its match. Unreadable: leave them (unconfirmed seats expire).
        const current = await store.get({ gameType: type.id, id: game.id }).catch(() => undefined);
        if (current !== undefined) {
          const lost = seats.filter((x) => !current?.players.some((held) => held.id === x.id)).map((x) => x.id);
          await seating.serverRemoveAll(type, game.id, lost);
        }
      }
      if (out.status === "refused") continue;
      pool.remove(p.ticket.id);
      known.delete(p.ticket.id);
      if (out.status === "stale") return true;
      await publish(out.game);
      await tickets.publishTicket(out.ticket);
      stats.matched += 1;
      stats.backfilled += 1;
      stats.waitsMs.push(out.ticket.ticket.updatedAt - out.ticket.ticket.enqueuedAt);
      return true;
    }
    return false;
  }

  return {
    /**
     * One round: catch the pool up with the feed, tick, end the tickets that waited too long,
     * commit the proposals. Rejects with BACKEND_UNAVAILABLE when the store is away (the
     * caller retries on its next tick; nothing half-written).
     */
    async runTick(): Promise<QueueTickStats> {
      await sync();
      const backfillAt = now();
      const stats: QueueTickStats = { waiting: 0, matched: 0, backfilled: 0, timedOut: 0, stale: 0, waitsMs: [], failures: zeroFailures(), timeouts: {} };
      // Open games first (bounded per tick like seeds, and in time: a slow game server must not
      // hold up the queue's matches; what is left waits for the next tick), before new games are formed.
      const started = performance.now();
      let tried = 0;
      for (const id of arrivals) {
        if (tried >= queue.seedsPerTick || performance.now() - started > BACKFILL_BUDGET_MS) break;
        arrivals.delete(id);
        const p = known.get(id);
        if (!p || !pool.has(id)) continue;
        tried++;
        try {
          await backfill(p, backfillAt, stats);
        } catch (err) {
          ctx.logger.warn({ err, queue: queue.id, gameType: type.id }, "backfilling a ticket failed; it searches on");
        }
      }
      // The clock after the backfills (they may have waited on a game server).
      const t = now();
      const result = tick(pool, queue, t);
      stats.failures = result.failures;
      // Why tickets wait, for the queue's readers (gameType.queues, the lobby page): best effort.
      const ruleFailures = store.countRuleFailures(type.id, queue.id, result.failures, t).catch((err: unknown) => {
        ctx.logger.warn({ err, queue: queue.id, gameType: type.id }, "counting a tick's failed rules failed");
      });
      // Whatever fails from here on, the tick has taken tickets out of the pool without an
      // answer for them: the pool is read afresh on the next tick.
      const reloadNext = (what: string) => (err: unknown) => {
        cursor = null;
        ctx.logger.warn({ err, queue: queue.id, gameType: type.id }, `${what} failed; the queue is reloaded on its next tick`);
      };
      const timeouts = async () => {
        if (result.timedOut.length === 0) return;
        const ends = await store.endTickets(
          type.id,
          result.timedOut.map((x) => ({ id: x.id, version: x.version, status: TicketStatus.TIMED_OUT, reason: x.reason })),
          t,
        );
        result.timedOut.forEach((x) => known.delete(x.id));
        for (const c of ends) {
          if (!c) continue;
          stats.timedOut += 1;
          stats.timeouts[c.ticket.reason ?? "unknown"] = (stats.timeouts[c.ticket.reason ?? "unknown"] ?? 0) + 1;
          await tickets.publishTicket(c);
        }
      };
      const hosted = gameServers.hasServer(type);
      const batchSize = hosted ? 1 : COMMIT_BATCH;
      const batches = Array.from({ length: Math.ceil(result.matches.length / batchSize) }, (_, i) => result.matches.slice(i * batchSize, (i + 1) * batchSize));
      let next = 0;
      const committer = async () => {
        while (next < batches.length) await commit(batches[next++]!, stats).catch(reloadNext("committing matches"));
      };
      await Promise.all([
        timeouts().catch(reloadNext("ending timed-out tickets")),
        ...Array.from({ length: Math.min(hosted ? COMMITS_IN_FLIGHT : BATCHES_IN_FLIGHT, batches.length) }, committer),
        ruleFailures,
      ]);
      stats.waiting = pool.size;
      return stats;
    },
    gameType: type.id,
    queueId: queue.id,
    get poolSize() {
      return pool.size;
    },
  };
}

export type QueueMatcher = ReturnType<typeof createQueueMatcher>;

/** A match's teams as player ids (a proposal's teams list ticket ids; a party ticket seats several players). */
function teamsOf(m: ProposedMatch, records: readonly PooledTicket[]): string[][] {
  const byTicket = new Map(records.map((r) => [r.ticket.id, r.players.map((p) => p.id)]));
  return m.teams.map((team) => team.flatMap((id) => byTicket.get(id) ?? []));
}
