import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/domain/errors.js";
import { GameState, Visibility } from "../../src/domain/game.js";
import { newTicketId, type TicketRecord, TicketStatus } from "../../src/domain/tickets/ticket-record.js";
import type { MatchCommit, TicketFeedEntry, TicketStore } from "../../src/store/ticket-store.js";
import { DUEL, makeGame, player, tables } from "../support/games.js";
import { expectCode, type StoreFactory, useStore } from "./contract-support.js";

const T0 = 1_900_000_000_000;
const admin = { id: "ops", name: "Ops", admin: true };
const as = (id: string) => ({ id, name: id, admin: false });

function ticketOf(players: string[], overrides: Partial<TicketRecord> = {}): TicketRecord {
  return {
    id: newTicketId(DUEL),
    gameType: DUEL,
    queueId: "ranked",
    status: TicketStatus.SEARCHING,
    version: 1,
    ownerId: players[0]!,
    players: players.map((id) => ({ id, name: `Player ${id}` })),
    partyId: null,
    rating: 1500.123456789,
    latencies: { eu: 20.5 },
    enqueuedAt: T0,
    updatedAt: T0,
    match: null,
    reason: null,
    ...overrides,
  };
}

/** A proposed match with its queue and time: what one store call commits. */
type Proposal = MatchCommit & { queueId: string; now: number };

/** A match of `tickets` as the service would commit it: a new game with all their players seated. */
function commitOf(tickets: TicketRecord[], now = T0 + 1_000, versions?: number[]): Proposal {
  const players = tickets.flatMap((t) => t.players.map((p) => player(p.id, now)));
  const game = makeGame({ gameType: DUEL, creatorId: players[0]!.id, players, capacity: players.length, state: GameState.FULL, createdAt: now });
  return {
    queueId: tickets[0]!.queueId,
    tickets: tickets.map((t, i) => ({ id: t.id, version: versions?.[i] ?? t.version })),
    game,
    match: { teams: tickets.map((t) => t.players.map((p) => p.id)), teamRatings: tickets.map((t) => t.rating), teamDifference: 0, ratingSpread: 0, region: "eu" },
    now,
  };
}

async function feedAfter(store: TicketStore, cursor: string, now = T0 + 5_000): Promise<{ entries: TicketFeedEntry[]; cursor: string }> {
  const page = await store.ticketFeed(DUEL, "ranked", cursor, 100, now);
  if (page.kind !== "changes") throw new Error("expected changes, got a reload");
  return page;
}

/** Tickets: one live ticket per player and queue, exactly one outcome each, matches committed with their game. */
export function describeTickets(factory: StoreFactory): void {
  const store = useStore(factory);
  /** Commits one proposal on its own (a batch of one). */
  const commitMatch = async (p: Proposal) => (await store().commitMatches({ gameType: DUEL, queueId: p.queueId, now: p.now, matches: [p] }))[0]!;

  describe("tickets", () => {
    it("stores a searching ticket and refuses a second live one of any of its players in the queue", async () => {
      const t = ticketOf(["alice", "bob"]);
      const stored = await store().enqueueTicket(t);
      expect(stored).toEqual({ ticket: t, previousStatus: null });
      expect(await store().getTicket(t)).toEqual(t);
      const err = await expectCode(store().enqueueTicket(ticketOf(["carol", "bob"])), ErrorCode.TICKET_ALREADY_QUEUED);
      expect(err.details).toEqual({ ticketId: t.id });
      // Another queue is another search.
      await store().enqueueTicket(ticketOf(["bob"], { queueId: "casual" }));
      expect(await store().getTicket({ gameType: DUEL, id: newTicketId(DUEL) })).toBeNull();
    });

    it("cancels for the owner or an admin once, and answers definitely after", async () => {
      const t = ticketOf(["alice"]);
      await store().enqueueTicket(t);
      await expectCode(store().cancelTicket(t, as("mallory"), T0 + 1), ErrorCode.FORBIDDEN);
      const won = await store().cancelTicket(t, as("alice"), T0 + 2);
      expect(won).toEqual({ cancelled: true, ticket: { ...t, status: TicketStatus.CANCELLED, version: 2, updatedAt: T0 + 2, reason: "cancelled_by_owner" } });
      expect(await store().cancelTicket(t, admin, T0 + 3)).toEqual({ cancelled: false, ticket: won.ticket });
      // The player is free to search again.
      await store().enqueueTicket(ticketOf(["alice"]));
      await expectCode(store().cancelTicket({ gameType: DUEL, id: newTicketId(DUEL) }, admin, T0), ErrorCode.TICKET_NOT_FOUND);
    });

    it("commits a match with its game in one step: the game stored with every player, each ticket MATCHED to it", async () => {
      const a = ticketOf(["alice"]);
      const b = ticketOf(["bob", "bea"]);
      await store().enqueueTicket(a);
      await store().enqueueTicket(b);
      const commit = commitOf([a, b]);
      const out = await commitMatch(commit);
      if (out.status !== "committed") throw new Error("expected a commit");
      expect(out.game.game).toMatchObject({ id: commit.game.id, version: 1, state: GameState.FULL });
      expect(out.game.game.players.map((p) => p.id)).toEqual(["alice", "bob", "bea"]);
      expect(await store().get({ gameType: DUEL, id: commit.game.id })).toEqual(out.game.game);
      const match = { ...commit.match, gameId: commit.game.id };
      expect(out.tickets).toEqual([
        { ticket: { ...a, status: TicketStatus.MATCHED, version: 2, updatedAt: commit.now, match }, previousStatus: TicketStatus.SEARCHING },
        { ticket: { ...b, status: TicketStatus.MATCHED, version: 2, updatedAt: commit.now, match }, previousStatus: TicketStatus.SEARCHING },
      ]);
      // The same proposal again, and a cancel after the match: each answered with the outcome that stands.
      expect(await commitMatch(commitOf([a, b]))).toEqual({ status: "stale", stale: [a.id, b.id] });
      expect(await store().cancelTicket(a, as("alice"), T0 + 2_000)).toEqual({ cancelled: false, ticket: out.tickets[0]!.ticket });
      await store().enqueueTicket(ticketOf(["bea"]));
    });

    it("writes nothing for a proposal whose ticket was cancelled or changed since it was read", async () => {
      const a = ticketOf(["alice"]);
      const b = ticketOf(["bob"]);
      await store().enqueueTicket(a);
      await store().enqueueTicket(b);
      await store().cancelTicket(b, as("bob"), T0 + 1);
      const commit = commitOf([a, b]);
      expect(await commitMatch(commit)).toEqual({ status: "stale", stale: [b.id] });
      expect(await commitMatch(commitOf([a], T0 + 2, [7]))).toEqual({ status: "stale", stale: [a.id] });
      expect(await store().get({ gameType: DUEL, id: commit.game.id })).toBeNull();
      expect(await store().getTicket(a)).toEqual(a);
    });

    it("times tickets out only at the version the matcher read", async () => {
      const a = ticketOf(["alice"]);
      const b = ticketOf(["bob"]);
      await store().enqueueTicket(a);
      await store().enqueueTicket(b);
      const ends = await store().endTickets(
        DUEL,
        [
          { id: a.id, version: 1, status: TicketStatus.TIMED_OUT, reason: "no_one_within_window" },
          { id: b.id, version: 3, status: TicketStatus.TIMED_OUT, reason: "no_one_within_window" },
          { id: newTicketId(DUEL), version: 1, status: TicketStatus.TIMED_OUT, reason: "pool_too_small" },
        ],
        T0 + 60_000,
      );
      expect(ends).toEqual([
        { ticket: { ...a, status: TicketStatus.TIMED_OUT, version: 2, updatedAt: T0 + 60_000, reason: "no_one_within_window" }, previousStatus: TicketStatus.SEARCHING },
        null,
        null,
      ]);
      expect(await store().getTicket(b)).toEqual(b);
    });

    it("pages through the searching tickets by enqueue time, ties included, ended ones left out", async () => {
      const all = Array.from({ length: 25 }, (_, i) => ticketOf([`p${i}`], { enqueuedAt: T0 + Math.floor(i / 10) }));
      for (const t of all) await store().enqueueTicket(t);
      await store().cancelTicket(all[3]!, admin, T0 + 5);
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const page = await store().searchingTickets(DUEL, "ranked", after, 7);
        seen.push(...page.tickets.map((t) => t.ticket.id));
        expect(page.tickets.every((t) => t.ticket.version === 1 && t.ticket.playerIds.length === 1 && t.ticket.rating === 1500.123456789)).toBe(true);
        expect(page.tickets.every((t) => t.players[0]!.name === `Player ${t.ticket.playerIds[0]}`)).toBe(true);
        after = page.next;
      } while (after !== null);
      const expected = all.filter((_, i) => i !== 3).sort((x, y) => x.enqueuedAt - y.enqueuedAt || (x.id < y.id ? -1 : 1));
      expect(seen).toEqual(expected.map((t) => t.id));
    });

    it("pages on past a cursor whose ticket ended between pages, ties and all", async () => {
      const all = Array.from({ length: 5 }, (_, i) => ticketOf([`s${i}`], { enqueuedAt: T0 }));
      for (const t of all) await store().enqueueTicket(t);
      const first = await store().searchingTickets(DUEL, "ranked", null, 2);
      // The page's last ticket ends before the next page is read.
      await store().cancelTicket({ gameType: DUEL, id: first.tickets[1]!.ticket.id }, admin, T0 + 1);
      const seen = first.tickets.map((t) => t.ticket.id);
      for (let after = first.next; after !== null; ) {
        const page = await store().searchingTickets(DUEL, "ranked", after, 2);
        seen.push(...page.tickets.map((t) => t.ticket.id));
        after = page.next;
      }
      expect(seen).toEqual([...all].sort((x, y) => (x.id < y.id ? -1 : 1)).map((t) => t.id));
    });

    it("feeds a queue's changes after a cursor, and asks a reader without one to reload first", async () => {
      const first = await store().ticketFeed(DUEL, "ranked", null, 100, T0);
      expect(first.kind).toBe("reload");
      const a = ticketOf(["alice"]);
      const b = ticketOf(["bob"]);
      await store().enqueueTicket(a);
      await store().enqueueTicket(b);
      await store().cancelTicket(a, as("alice"), T0 + 1);
      const page = await feedAfter(store(), first.cursor);
      expect(page.entries).toEqual([
        { kind: "searching", ticket: { id: a.id, version: 1, playerIds: ["alice"], rating: a.rating, latencies: a.latencies, enqueuedAt: T0 }, players: a.players },
        { kind: "searching", ticket: { id: b.id, version: 1, playerIds: ["bob"], rating: b.rating, latencies: b.latencies, enqueuedAt: T0 }, players: b.players },
        { kind: "ended", id: a.id },
      ]);
      expect((await feedAfter(store(), page.cursor)).entries).toEqual([]);
      expect((await store().ticketFeed(DUEL, "ranked", "not-a-cursor", 100, T0)).kind).toBe("reload");
    });

    it("tells how many search in the queue, how many near a rating, and the recent waits to a match", async () => {
      const [a, b, c] = [ticketOf(["alice"], { rating: 1500 }), ticketOf(["bob"], { rating: 1540 }), ticketOf(["carol"], { rating: 1700 })];
      for (const t of [a, b, c]) await store().enqueueTicket(t);
      expect(await store().queueInsight(DUEL, "ranked", 1500, 50)).toEqual({ waiting: 3, near: 2, recentWaitsMs: [] });
      await commitMatch(commitOf([a, b], T0 + 4_000));
      await store().cancelTicket(c, as("carol"), T0 + 5_000);
      // Only matches count as waits; the cancelled and the matched no longer search.
      expect(await store().queueInsight(DUEL, "ranked", 1700, 10)).toEqual({ waiting: 0, near: 0, recentWaitsMs: [4_000, 4_000] });
      expect(await store().queueInsight(DUEL, "casual", 1500, 1_000)).toEqual({ waiting: 0, near: 0, recentWaitsMs: [] });
    });

    it("ends 1,500 tickets of 2 players in one call: every player may queue again, every end counted", async () => {
      const many = Array.from({ length: 1_500 }, (_, i) => ticketOf([`a${i}`, `b${i}`], { rating: 1_000 + i }));
      for (let i = 0; i < many.length; i += 500) await Promise.all(many.slice(i, i + 500).map((t) => store().enqueueTicket(t)));
      const at = T0 + 60_000;
      const ends = await store().endTickets(
        DUEL,
        many.map((t, i) => ({ id: t.id, version: 1, status: TicketStatus.TIMED_OUT, reason: i % 3 === 0 ? "no_region" : "pool_too_small" })),
        at,
      );
      expect(ends.every((c) => c?.ticket.status === TicketStatus.TIMED_OUT)).toBe(true);
      expect(await store().queueInsight(DUEL, "ranked", 1_500, 10_000)).toEqual({ waiting: 0, near: 0, recentWaitsMs: [] });
      const activity = await store().queueActivity(DUEL, "ranked", at);
      expect(activity).toMatchObject({ timedOut: 1_500, timeouts: { no_region: 500, pool_too_small: 1_000 } });
      // Their places are free: the last ticket's players (in the last slice of the call) queue again.
      await store().enqueueTicket(ticketOf(["a1499", "b1499"], { enqueuedAt: at, updatedAt: at }));
      await store().enqueueTicket(ticketOf(["a0", "b0"], { enqueuedAt: at, updatedAt: at }));
      expect((await store().queueInsight(DUEL, "ranked", 1_500, 10_000)).waiting).toBe(2);
    });

    it("keeps the waits of a match's tickets, newest end first, and frees a whole party's places", async () => {
      const [a, b] = [ticketOf(["alice", "amy"], { enqueuedAt: T0 - 3_000 }), ticketOf(["bob", "ben"])];
      for (const t of [a, b]) await store().enqueueTicket(t);
      await commitMatch(commitOf([a, b], T0 + 2_000));
      expect((await store().queueInsight(DUEL, "ranked", 1_500, 50)).recentWaitsMs).toEqual([2_000, 5_000]);
      for (const id of ["alice", "amy", "bob", "ben"]) await store().enqueueTicket(ticketOf([id], { enqueuedAt: T0 + 3_000, updatedAt: T0 + 3_000 }));
      expect((await store().queueInsight(DUEL, "ranked", 1_500, 50)).waiting).toBe(4);
    });

    it("counts the queue's ends with their reasons and the rules that failed, over the last 10 minutes only", async () => {
      const minute = 60_000;
      const start = Math.ceil(T0 / minute) * minute; // the first second of a minute
      const [a, b, c, d, e] = ["alice", "bob", "carol", "dan", "eve"].map((id) => ticketOf([id], { enqueuedAt: start, updatedAt: start }));
      for (const t of [a, b, c, d, e]) await store().enqueueTicket(t!);
      expect(await commitMatch(commitOf([a!, b!], start + 1_000))).toMatchObject({ status: "committed" });
      // A stale proposal and a cancel that lost change nothing, so they count nothing.
      expect(await commitMatch(commitOf([a!, c!], start + 1_000))).toMatchObject({ status: "stale" });
      expect(await store().cancelTicket(a!, as("alice"), start + 2_000)).toMatchObject({ cancelled: false });
      await store().cancelTicket(c!, as("carol"), start + 2_000);
      await store().cancelTicket(d!, admin, start + minute + 5_000); // the next minute
      await store().endTickets(DUEL, [{ id: e!.id, version: 1, status: TicketStatus.TIMED_OUT, reason: "no_region" }], start + 2 * minute);
      await store().countRuleFailures(DUEL, "ranked", { no_region: 3, pool_too_small: 0 }, start + 2 * minute);
      await store().countRuleFailures(DUEL, "ranked", { no_region: 1, party_size: 2 }, start + 2 * minute + 1_000);
      const all = {
        minutes: 10,
        matched: 2,
        timedOut: 1,
        cancelled: 2,
        timeouts: { no_region: 1 },
        cancels: { cancelled_by_owner: 1, cancelled_by_admin: 1 },
        ruleFailures: { no_region: 4, party_size: 2 },
      };
      expect(await store().queueActivity(DUEL, "ranked", start + 2 * minute + 2_000)).toEqual(all);
      // Ten minutes on, the first minute (the match and carol's cancel) has left the window.
      expect(await store().queueActivity(DUEL, "ranked", start + 10 * minute)).toEqual({ ...all, matched: 0, cancelled: 1, cancels: { cancelled_by_admin: 1 } });
      expect(await store().queueActivity(DUEL, "ranked", start + 12 * minute)).toEqual({ minutes: 10, matched: 0, timedOut: 0, cancelled: 0, timeouts: {}, cancels: {}, ruleFailures: {} });
      expect((await store().queueActivity(DUEL, "casual", start + 2 * minute)).matched).toBe(0);
    });

    it("backfills a searching ticket into an open game: seated and MATCHED in one step, or nothing", async () => {
      const open = (await store().create(makeGame({ gameType: DUEL, creatorId: "host", players: [player("host", T0)], capacity: 3, createdAt: T0 }))).game;
      const full = (await store().create(makeGame({ gameType: DUEL, creatorId: "h2", players: [player("h2", T0)], capacity: 1, createdAt: T0 }))).game;
      const secret = (await store().create(makeGame({ gameType: DUEL, creatorId: "h3", players: [player("h3", T0)], capacity: 4, visibility: Visibility.PRIVATE, createdAt: T0 }))).game;
      const b = ticketOf(["bob", "bea"]);
      await store().enqueueTicket(b);
      const into = (gameId: string, version = 1, now = T0 + 2_000) =>
        store().backfillTicket({
          gameType: DUEL,
          queueId: "ranked",
          ticket: { id: b.id, version },
          gameId,
          players: b.players.map((p) => player(p.id, now)),
          joinable: tables.joinable,
          seatsFilled: tables.seatsFilled,
          match: { teams: [["bob", "bea"]], teamRatings: [b.rating], teamDifference: 0, ratingSpread: 0, region: null },
          now,
        });
      expect(await into(full.id)).toEqual({ status: "refused" });
      expect(await into(secret.id)).toEqual({ status: "refused" });
      expect(await into(`${open.id.slice(0, -3)}zzz`)).toEqual({ status: "refused" });
      expect(await into(open.id, 2)).toEqual({ status: "stale" });
      expect(await store().getTicket(b)).toEqual(b);
      const seated = await into(open.id);
      if (seated.status !== "seated") throw new Error("expected a seat");
      expect(seated.game.game.players.map((p) => p.id)).toEqual(["host", "bob", "bea"]);
      expect(seated.game.game).toMatchObject({ version: 2, state: GameState.FULL });
      expect(seated.ticket.ticket).toMatchObject({ status: TicketStatus.MATCHED, version: 2, match: { gameId: open.id, teams: [["bob", "bea"]] } });
      expect(await store().get({ gameType: DUEL, id: open.id })).toEqual(seated.game.game);
      expect(await into(open.id)).toEqual({ status: "stale" });
      expect((await store().queueInsight(DUEL, "ranked", 1500, 10)).recentWaitsMs).toEqual([2_000]);
    });

    it("commits a batch's matches each on its own: a stale one stops none of the others, and every game is indexed", async () => {
      const [a, b, c, d, e, f, g] = ["alice", "bob", "carol", "dan", "eve", "fay", "gus"].map((id) => ticketOf([id]));
      for (const t of [a, b, c, d, e, f, g]) await store().enqueueTicket(t!);
      await store().cancelTicket(e!, as("eve"), T0 + 1);
      const now = T0 + 3_000;
      const before = await store().countByState(DUEL);
      // [c, e]: e was cancelled; [b, d]: b is taken by the first match of the same batch.
      const proposals = [[a, b], [c, e], [b, d], [f, g], [c, d]].map((pair) => commitOf(pair as TicketRecord[], now));
      const outcomes = await store().commitMatches({ gameType: DUEL, queueId: "ranked", now, matches: proposals });
      expect(outcomes.map((o) => (o.status === "stale" ? o.stale : o.status))).toEqual(["committed", [e!.id], [b!.id], "committed", "committed"]);
      const games = [0, 3, 4].map((i) => proposals[i]!.game.id);
      for (const [i, o] of outcomes.entries()) {
        if (o.status !== "committed") {
          // Nothing of a stale match was written.
          expect(await store().get({ gameType: DUEL, id: proposals[i]!.game.id })).toBeNull();
          continue;
        }
        expect(await store().get({ gameType: DUEL, id: o.game.gameId })).toEqual(o.game.game);
        expect(o.tickets.map((c) => [c.ticket.status, c.ticket.match?.gameId])).toEqual([
          [TicketStatus.MATCHED, o.game.gameId],
          [TicketStatus.MATCHED, o.game.gameId],
        ]);
      }
      // Each committed game is in its state's index and the deadline index, like a game created alone.
      expect((await store().countByState(DUEL))[GameState.FULL]).toBe(before[GameState.FULL] + 3);
      expect((await store().dueGames(DUEL, now + 30 * 86_400_000, 100)).filter((id) => games.includes(id)).sort()).toEqual([...games].sort());
      for (const t of [a, b, c, d, f, g]) expect((await store().getTicket(t!))!.status).toBe(TicketStatus.MATCHED);
      expect(await store().queueInsight(DUEL, "ranked", 1500, 1_000)).toEqual({ waiting: 0, near: 0, recentWaitsMs: Array(6).fill(3_000) });
      // Every player is free to search again.
      for (const id of ["alice", "bob", "carol", "dan", "fay", "gus"]) await store().enqueueTicket(ticketOf([id]));
    });

    it("gives each ticket one outcome when commits of overlapping matches and cancels race", async () => {
      const tickets = Array.from({ length: 12 }, (_, i) => ticketOf([`r${i}`]));
      for (const t of tickets) await store().enqueueTicket(t);
      // Every pair (i, i+1) proposed at once — each ticket in two proposals — and every third ticket cancelled meanwhile.
      const commits = tickets.slice(0, -1).map((t, i) => commitMatch(commitOf([t, tickets[i + 1]!])));
      const cancels = tickets.filter((_, i) => i % 3 === 0).map((t) => store().cancelTicket(t, as(t.ownerId), T0 + 500));
      const [outcomes, cancelled] = await Promise.all([Promise.all(commits), Promise.all(cancels)]);
      const matchedIn = new Map<string, string>();
      for (const o of outcomes) {
        if (o.status !== "committed") continue;
        for (const c of o.tickets) {
          expect(matchedIn.has(c.ticket.id), `${c.ticket.id} in two games`).toBe(false);
          matchedIn.set(c.ticket.id, o.game.gameId);
        }
      }
      for (const c of cancelled) {
        // A cancel that won leaves the ticket in no game; one that lost names the game it is in.
        if (c.cancelled) expect(matchedIn.has(c.ticket.id)).toBe(false);
        else expect(c.ticket).toMatchObject({ status: TicketStatus.MATCHED, match: { gameId: matchedIn.get(c.ticket.id) } });
      }
      for (const t of tickets) {
        const now = (await store().getTicket(t))!;
        expect(now.status === TicketStatus.MATCHED).toBe(matchedIn.has(t.id));
      }
      expect(matchedIn.size).toBeGreaterThan(0);
    });
  });
}
