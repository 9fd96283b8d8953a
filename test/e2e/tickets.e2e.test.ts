import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseCatalog } from "../../src/config/catalog.js";
import type * as G from "../generated/graphql.js";
import { codeOf, gql, subscribe, type TestApp, tokenFor, waitFor, wsClient } from "../support/app.js";
import { bothModes, watcherReady } from "./modes.js";
import { CANCEL_TICKET, ENQUEUE_TICKET, TICKET, TICKET_CHANGED } from "./operations-tickets.js";
import { formParty, matchClient } from "../support/match-client.js";

/** A lobby-only type with a ranked 1v1 queue whose window widens fast, for tests that wait for it. */
const CATALOG = parseCatalog(
  `gameTypes:
  - id: duel
    name: Duel
    minPlayers: 2
    maxPlayers: 4
    labels: { mmr: number }
    queues:
      - id: ranked
        teams: { count: 2, size: 1 }
        rating:
          attribute: mmr
          initialWindow: 50
          expansion: { kind: steps, steps: [{ afterMs: 600, window: 200 }] }
          maxWindow: 200
        maxWaitMs: 2000
      - id: open
        teams: { count: 2, size: 1 }
        rating: { attribute: mmr, initialWindow: 50, expansion: { kind: linear, perSecond: 1 }, maxWindow: 100 }
        backfill: true
      - id: squads
        teams: { count: 2, size: 2 }
        rating: { attribute: mmr, initialWindow: 50, expansion: { kind: linear, perSecond: 1 }, maxWindow: 100 }
      - id: trusted
        teams: { count: 2, size: 2 }
        rating: { attribute: mmr, source: token, initialWindow: 50, expansion: { kind: linear, perSecond: 1 }, maxWindow: 100 }
`,
  "tickets-catalog.yaml",
);

describe.each(bothModes())("ticket matchmaking over HTTP and graphql-ws ($name)", (mode) => {
  let t: TestApp;
  const clients: ReturnType<typeof wsClient>[] = [];
  beforeEach(async () => {
    t = await mode.start({ catalog: CATALOG, worker: true, env: { MATCH_TICK_MS: "100" } });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await t.close();
  });
  afterAll(() => mode.teardown());

  const scrape = async () => (await fetch(t.url.replace("/graphql", "/metrics"))).text();
  const enqueue = async (player: string, rating: number) => gql<G.EnqueueTicketMutation>(t.url, ENQUEUE_TICKET, { input: { gameType: "duel", queue: "ranked", rating } }, await tokenFor(player));
  const watch = async (id: string, player: string, afterVersion?: number) => {
    const client = wsClient(t.wsUrl, await tokenFor(player));
    clients.push(client);
    const topic = t.app.backends.bus.topics.ticket(id);
    const before = t.app.backends.bus.localSubscribers(topic);
    const sub = subscribe<G.TicketChangedSubscription>(client, TICKET_CHANGED, { id, ...(afterVersion === undefined ? {} : { afterVersion }) });
    await watcherReady(t, topic, before, mode.redisUrl());
    return sub;
  };

  it("matches two players once their windows have widened to reach each other, into one game, live", async () => {
    const a = (await enqueue("alice", 1500)).data!.enqueueMatchTicket;
    expect(a).toMatchObject({ status: "SEARCHING", version: 1, queue: "ranked", window: 50, players: [{ playerId: "alice", name: "Alice" }], game: null });
    expect(a).toMatchObject({ poolSize: 1, queueSize: 1, estimatedWaitSeconds: null });
    expect(a.id).toMatch(/^tkt_duel_[0-9a-z]{16}$/);
    expect(codeOf(await enqueue("alice", 1500))).toBe("TICKET_ALREADY_QUEUED");
    const aliceSees = await watch(a.id, "alice");
    // 100 apart: outside both ±50 windows, inside both once they widen to ±200.
    const b = (await enqueue("bob", 1600)).data!.enqueueMatchTicket;
    const bobSees = await watch(b.id, "bob");
    expect((await aliceSees.next()).data!.matchTicketChanged).toMatchObject({ previousStatus: null, ticket: { status: "SEARCHING", version: 1, window: 50 } });
    expect((await bobSees.next()).data!.matchTicketChanged.ticket.status).toBe("SEARCHING");
    // Alice's step (600 ms into her wait) comes before bob's, which the match needs too: she is told
    // her window widened, live, before she is matched.
    const widened = (await aliceSees.next(5_000)).data!.matchTicketChanged;
    expect(widened).toMatchObject({ previousStatus: "SEARCHING", ticket: { status: "SEARCHING", version: 1, window: 200 } });
    expect(widened.ticket.waitedSeconds).toBeGreaterThanOrEqual(0.6);
    const forAlice = (await aliceSees.next(5_000)).data!.matchTicketChanged;
    let forBob = (await bobSees.next(5_000)).data!.matchTicketChanged;
    // Bob's own step and the match race: he may hear of his wider window first.
    if (forBob.ticket.status === "SEARCHING") {
      expect(forBob).toMatchObject({ previousStatus: "SEARCHING", ticket: { version: 1, window: 200 } });
      forBob = (await bobSees.next(5_000)).data!.matchTicketChanged;
    }
    expect(forAlice).toMatchObject({ previousStatus: "SEARCHING", ticket: { status: "MATCHED", version: 2, window: null, teamDifference: 100, poolSize: null } });
    expect(forAlice.ticket.waitedSeconds).toBeGreaterThanOrEqual(0.6);
    expect(forBob.ticket.game!.id).toBe(forAlice.ticket.game!.id);
    expect(forAlice.ticket.game!.players.map((p) => p.id).sort()).toEqual(["alice", "bob"]);
    expect(forAlice.ticket.game!.capacity).toBe(2);
    expect([...forAlice.ticket.teams!].sort()).toEqual([["alice"], ["bob"]]);
    // The game tells its readers how it was formed: the same teams and ratings, on both backends.
    const formed = await gql<{ game: { match: { queue: string; teams: string[][]; teamRatings: number[]; teamDifference: number; ratingSpread: number } | null } }>(
      t.url,
      "query($id: ID!) { game(id: $id) { match { queue teams teamRatings teamDifference ratingSpread } } }",
      { id: forAlice.ticket.game!.id },
      await tokenFor("bob"),
    );
    const match = formed.data!.game.match!;
    expect(match).toMatchObject({ queue: "ranked", teams: forAlice.ticket.teams, teamDifference: 100, ratingSpread: 100 });
    expect([...match.teamRatings].sort()).toEqual([1500, 1600]);
    // Operators see both tickets matched, and how long they waited (counted once the tick is over).
    const ended = 'matchmaker_tickets_ended_total{game_type="duel",queue="ranked",outcome="MATCHED",reason=""} 2';
    await waitFor(async () => (await scrape()).includes(ended), "the tick's figures");
    const metrics = await scrape();
    expect(metrics).toContain('matchmaker_ticket_wait_seconds_count{game_type="duel",queue="ranked"} 2');
    expect(metrics).toMatch(/^matchmaker_ticket_wait_seconds_bucket\{le="0\.5",game_type="duel",queue="ranked"\} 0$/m);
    // The outcome is final: the subscription ends with it, a cancel now answers with it.
    await aliceSees.done;
    const late = (await gql<G.CancelTicketMutation>(t.url, CANCEL_TICKET, { id: a.id }, await tokenFor("alice"))).data!.cancelMatchTicket;
    expect(late).toMatchObject({ cancelled: false, ticket: { status: "MATCHED", game: { id: forAlice.ticket.game!.id } } });
    // Only the ticket's players see it.
    expect((await gql<G.TicketQuery>(t.url, TICKET, { id: a.id }, await tokenFor("carol"))).data!.matchTicket).toBeNull();
    expect((await gql<G.TicketQuery>(t.url, TICKET, { id: a.id }, await tokenFor("alice"))).data!.matchTicket!.status).toBe("MATCHED");
    // A client that reconnects with the last version it saw gets nothing twice; one further behind gets the outcome.
    const again = wsClient(t.wsUrl, await tokenFor("alice"));
    clients.push(again);
    // (Not waited for as a live watcher: an ended ticket's watch is over as soon as it has answered.)
    const resumed = subscribe<G.TicketChangedSubscription>(again, TICKET_CHANGED, { id: a.id, afterVersion: 1 });
    expect((await resumed.next()).data!.matchTicketChanged.ticket).toMatchObject({ status: "MATCHED", version: 2 });
    await resumed.done;
    // The next player in the queue is told how long matches took lately.
    expect((await enqueue("carol", 3000)).data!.enqueueMatchTicket.estimatedWaitSeconds).toBeGreaterThanOrEqual(0.6);
    const upToDate = subscribe<G.TicketChangedSubscription>(again, TICKET_CHANGED, { id: a.id, afterVersion: 2 });
    await upToDate.done;
    await expect(upToDate.next(200)).rejects.toThrow();
  });

  it("enqueues a party its leader leads, by consent: both search as one ticket, into one team of a 2 v 2", async () => {
    const squads = async (player: string, rating: number, partyId?: string) =>
      gql<G.EnqueueTicketMutation>(t.url, ENQUEUE_TICKET, { input: { gameType: "duel", queue: "squads", rating, ...(partyId ? { partyId } : {}) } }, await tokenFor(player));
    const ab = await formParty(t.url, "duel", "alice", ["bob"]);
    // Only the leader seats the party; a party nobody can see does not exist; nothing is stored for either.
    expect(codeOf(await squads("bob", 1500, ab))).toBe("FORBIDDEN");
    expect(codeOf(await squads("carol", 1500, ab))).toBe("PARTY_NOT_FOUND");
    expect(codeOf(await squads("alice", 1500, "party_duel_0000000000000000"))).toBe("PARTY_NOT_FOUND");
    const ticket = (await squads("alice", 1500, ab)).data!.enqueueMatchTicket;
    expect(ticket).toMatchObject({ status: "SEARCHING", partyId: ab, players: [{ playerId: "alice" }, { playerId: "bob" }] });
    // One live ticket per player per queue: the member searches already, through the party.
    expect(codeOf(await squads("bob", 1500))).toBe("TICKET_ALREADY_QUEUED");
    // Every player of the ticket reads and follows it, not only the one who enqueued it.
    const bobSees = await watch(ticket.id, "bob");
    expect((await bobSees.next()).data!.matchTicketChanged.ticket).toMatchObject({ id: ticket.id, status: "SEARCHING" });

    const cd = await formParty(t.url, "duel", "carol", ["dave"]);
    await squads("carol", 1530, cd);
    const matched = (await bobSees.next(5_000)).data!.matchTicketChanged.ticket;
    expect(matched).toMatchObject({ status: "MATCHED", teamDifference: 30 });
    // A party plays in one team.
    expect(matched.teams!.map((team) => [...team].sort()).sort()).toEqual([["alice", "bob"], ["carol", "dave"]]);
    expect(matched.game!.players.map((p) => p.id).sort()).toEqual(["alice", "bob", "carol", "dave"]);
    expect((await gql<G.TicketQuery>(t.url, TICKET, { id: ticket.id }, await tokenFor("alice"))).data!.matchTicket!.status).toBe("MATCHED");
  });

  it("takes ratings from the players' tokens where the queue says so: a client cannot claim its own", async () => {
    const trusted = async (token: string, extra: Record<string, unknown> = {}) =>
      gql<G.EnqueueTicketMutation>(t.url, ENQUEUE_TICKET, { input: { gameType: "duel", queue: "trusted", ...extra } }, token);
    const alice = await tokenFor("alice", { ratings: { mmr: 1700, other: 3 } });
    // Another rating than the studio signed is refused, and nothing is stored.
    const claimed = await trusted(alice, { rating: 2500 });
    expect([codeOf(claimed), claimed.errors![0]!.extensions!.reason]).toEqual(["BAD_USER_INPUT", "rating_not_from_token"]);
    expect((await trusted(alice)).data!.enqueueMatchTicket).toMatchObject({ status: "SEARCHING", rating: 1700 });
    // A token without the queue's attribute cannot search here.
    const none = await trusted(await tokenFor("bob", { ratings: { other: 1 } }), { rating: 1700 });
    expect([codeOf(none), none.errors![0]!.extensions!.reason]).toEqual(["FORBIDDEN", "no_token_rating"]);
    // A party's rating is the mean of its members', each from the token they joined with.
    const mm = matchClient(t.url);
    const carol = await tokenFor("carol", { ratings: { mmr: 1600 } });
    const party = (await mm.createParty({ gameType: "duel" }, carol)).data!.createParty.id;
    await mm.joinParty({ id: party }, await tokenFor("dave", { ratings: { mmr: 1620 } }));
    expect((await trusted(carol, { partyId: party, rating: 1610 })).data!.enqueueMatchTicket).toMatchObject({ rating: 1610, players: [{ playerId: "carol" }, { playerId: "dave" }] });
    const frank = await tokenFor("frank", { ratings: { mmr: 1500 } });
    const unrated = (await mm.createParty({ gameType: "duel" }, frank)).data!.createParty.id;
    await mm.joinParty({ id: unrated }, await tokenFor("erin"));
    const refused = await trusted(frank, { partyId: unrated });
    expect(codeOf(refused)).toBe("FORBIDDEN");
    expect(refused.errors![0]!.message).toContain("erin's token had, when they joined the party, none");
    // A member's rating counts while the token they joined with is good, not for as long as the party lasts.
    const henry = await tokenFor("henry", { ratings: { mmr: 1600 } });
    const brief = await tokenFor("ivan", { ratings: { mmr: 1610 }, expiresIn: "3s" });
    const short = (await mm.createParty({ gameType: "duel" }, henry)).data!.createParty.id;
    await mm.joinParty({ id: short }, brief);
    const expiresAt = (JSON.parse(Buffer.from(brief.split(".")[1]!, "base64url").toString()) as { exp: number }).exp * 1_000;
    await new Promise((r) => setTimeout(r, expiresAt - Date.now() + 100));
    const stale = await trusted(henry, { partyId: short });
    expect([codeOf(stale), stale.errors![0]!.extensions!.reason]).toEqual(["FORBIDDEN", "stale_token_rating"]);
    expect(stale.errors![0]!.message).toContain("the token ivan joined the party with has expired");
    // Joining again with a fresh token brings their rating up to date; joining again with the same one changes nothing.
    const fresh = await tokenFor("ivan", { ratings: { mmr: 1640 } });
    expect((await mm.joinParty({ id: short }, fresh)).data!.joinParty.version).toBe(3);
    expect(codeOf(await mm.joinParty({ id: short }, fresh))).toBe("ALREADY_JOINED");
    expect((await trusted(henry, { partyId: short })).data!.enqueueMatchTicket).toMatchObject({ rating: 1620 });
    // A queue whose ratings come from input still needs one.
    expect(codeOf(await gql(t.url, ENQUEUE_TICKET, { input: { gameType: "duel", queue: "ranked" } }, await tokenFor("gina")))).toBe("BAD_USER_INPUT");
  });

  it("cancels a search for its owner once, and times out a ticket nobody can match, with the reason", async () => {
    const c = (await enqueue("carol", 1500)).data!.enqueueMatchTicket;
    expect(codeOf(await gql(t.url, CANCEL_TICKET, { id: c.id }, await tokenFor("dave")))).toBe("TICKET_NOT_FOUND");
    const won = (await gql<G.CancelTicketMutation>(t.url, CANCEL_TICKET, { id: c.id }, await tokenFor("carol"))).data!.cancelMatchTicket;
    expect(won).toMatchObject({ cancelled: true, ticket: { status: "CANCELLED", version: 2, reason: "cancelled_by_owner", game: null } });
    const lost = (await gql<G.CancelTicketMutation>(t.url, CANCEL_TICKET, { id: c.id }, await tokenFor("carol"))).data!.cancelMatchTicket;
    expect(lost).toMatchObject({ cancelled: false, ticket: { status: "CANCELLED", version: 2 } });

    // A watcher whose cursor is past the ticket's version still gets the change that ends it.
    const h = (await enqueue("hana", 9000)).data!.enqueueMatchTicket;
    const ahead = await watch(h.id, "hana", 5);
    await gql(t.url, CANCEL_TICKET, { id: h.id }, await tokenFor("hana"));
    expect((await ahead.next(3_000)).data!.matchTicketChanged.ticket).toMatchObject({ status: "CANCELLED", version: 2 });
    await ahead.done;

    const d = (await enqueue("dave", 1500)).data!.enqueueMatchTicket;
    const daveSees = await watch(d.id, "dave");
    expect((await daveSees.next()).data!.matchTicketChanged.ticket.status).toBe("SEARCHING");
    // His window widens once (600 ms in) before the timeout.
    expect((await daveSees.next(6_000)).data!.matchTicketChanged).toMatchObject({ previousStatus: "SEARCHING", ticket: { status: "SEARCHING", window: 200 } });
    const ended = (await daveSees.next(6_000)).data!.matchTicketChanged.ticket;
    expect(ended).toMatchObject({ status: "TIMED_OUT", version: 2, reason: "pool_too_small", game: null });
    expect(ended.waitedSeconds).toBeGreaterThanOrEqual(2);

    // The queue's figures count both cancels (made by the API) and the timeout (by the worker), with why.
    const queues = await gql<{ gameType: { queues: { id: string; recent: Record<string, unknown> }[] } }>(
      t.url,
      "{ gameType(id: \"duel\") { queues { id recent { minutes matched timedOut cancelled timeouts { reason count } cancels { reason count } ruleFailures { reason count } } } } }",
    );
    const recent = queues.data!.gameType.queues.find((q) => q.id === "ranked")!.recent;
    expect(recent).toMatchObject({ minutes: 10, matched: 0, timedOut: 1, cancelled: 2, timeouts: [{ reason: "pool_too_small", count: 1 }], cancels: [{ reason: "cancelled_by_owner", count: 2 }] });
    // Dave searched alone for 2 s of 100 ms ticks: every one of his seed attempts found nobody.
    expect(recent.ruleFailures).toEqual([{ reason: "pool_too_small", count: expect.any(Number) }]);
    expect((recent.ruleFailures as { count: number }[])[0]!.count).toBeGreaterThanOrEqual(5);
    // The worker's own series are counted once its tick is over.
    const timedOut = 'matchmaker_tickets_ended_total{game_type="duel",queue="ranked",outcome="TIMED_OUT",reason="pool_too_small"} 1';
    await waitFor(async () => (await scrape()).includes(timedOut), "the tick's figures");
    const metrics = await scrape();
    expect(metrics).toContain('matchmaker_queue_recent_tickets{game_type="duel",queue="ranked",outcome="CANCELLED"} 2');
    expect(metrics).toContain('matchmaker_queue_recent_tickets{game_type="duel",queue="ranked",outcome="TIMED_OUT"} 1');
    // The worker's own series: the failed seed attempts by rule, an empty pool.
    const failed = /^matchmaker_match_attempt_failures_total\{game_type="duel",queue="ranked",reason="pool_too_small"\} (\d+)$/m.exec(metrics);
    expect(Number(failed?.[1])).toBeGreaterThanOrEqual(5);
    expect(metrics).toContain('matchmaker_tickets_waiting{game_type="duel",queue="ranked"} 0');
  });

  it("tells a searching player how many search in the queue and how many within their window", async () => {
    // Three solos in a 2 × 2 queue: no match can form, so they keep searching while we look.
    const squad = async (player: string, rating: number) =>
      (await gql<G.EnqueueTicketMutation>(t.url, ENQUEUE_TICKET, { input: { gameType: "duel", queue: "squads", rating } }, await tokenFor(player))).data!.enqueueMatchTicket;
    const c = await squad("carol", 1500);
    await squad("frank", 1530);
    await squad("gina", 1700);
    const seen = (await gql<G.TicketQuery>(t.url, TICKET, { id: c.id }, await tokenFor("carol"))).data!.matchTicket!;
    // Within carol's ±50: frank (1530) and herself; gina (1700) is not.
    expect(seen).toMatchObject({ status: "SEARCHING", poolSize: 2, queueSize: 3, estimatedWaitSeconds: null });
  });

  it("backfills a ticket into an open game whose rating label is within its window, before forming new games", async () => {
    const host = await tokenFor("hugo");
    const made = await gql<{ createGame: { id: string } }>(
      t.url,
      "mutation { createGame(input: { gameType: \"duel\", capacity: 3, labels: { mmr: 1510 } }) { id } }",
      {},
      host,
    );
    const gameId = made.data!.createGame.id;
    // Far from the game's rating: left to search; close to it: seated in it.
    const far = (await gql<G.EnqueueTicketMutation>(t.url, ENQUEUE_TICKET, { input: { gameType: "duel", queue: "open", rating: 1800 } }, await tokenFor("ivan"))).data!.enqueueMatchTicket;
    const near = (await gql<G.EnqueueTicketMutation>(t.url, ENQUEUE_TICKET, { input: { gameType: "duel", queue: "open", rating: 1530 } }, await tokenFor("jill"))).data!.enqueueMatchTicket;
    const sees = await watch(near.id, "jill");
    let ticket = (await sees.next()).data!.matchTicketChanged.ticket;
    if (ticket.status === "SEARCHING") ticket = (await sees.next(5_000)).data!.matchTicketChanged.ticket;
    expect(ticket).toMatchObject({ status: "MATCHED", game: { id: gameId, capacity: 3 } });
    expect(ticket.game!.players.map((p) => p.id)).toEqual(["hugo", "jill"]);
    expect((await gql<G.TicketQuery>(t.url, TICKET, { id: far.id }, await tokenFor("ivan"))).data!.matchTicket!.status).toBe("SEARCHING");
  });

  it("refuses what a queue cannot take, with typed errors and nothing stored", async () => {
    const token = await tokenFor("erin");
    const bad = (input: Record<string, unknown>) => gql(t.url, ENQUEUE_TICKET, { input: { gameType: "duel", queue: "ranked", rating: 1500, ...input } }, token);
    expect(codeOf(await bad({ queue: "casual" }))).toBe("BAD_USER_INPUT");
    expect(codeOf(await bad({ gameType: "chess" }))).toBe("UNKNOWN_GAME_TYPE");
    expect(codeOf(await bad({ latencies: Array.from({ length: 33 }, (_, i) => ({ region: `r${i}`, ms: 10 })) }))).toBe("BAD_USER_INPUT");
    expect(codeOf(await bad({ latencies: [{ region: "eu", ms: 1 }, { region: "eu", ms: 2 }] }))).toBe("BAD_USER_INPUT");
    // Checked even where the queue has no region rule: they are stored with the ticket.
    expect(codeOf(await bad({ latencies: [{ region: "eu:{x}", ms: 1 }] }))).toBe("BAD_USER_INPUT");
    expect(codeOf(await bad({ latencies: [{ region: "eu", ms: -1 }] }))).toBe("BAD_USER_INPUT");
    expect(codeOf(await gql(t.url, ENQUEUE_TICKET, { input: { gameType: "duel", queue: "ranked", rating: 1500 } }))).toBe("UNAUTHENTICATED");
    expect(codeOf(await gql(t.url, CANCEL_TICKET, { id: "tkt_duel_0000000000000000" }, token))).toBe("TICKET_NOT_FOUND");
    // None of those left a ticket behind: erin can search now.
    expect((await enqueue("erin", 1500)).data!.enqueueMatchTicket.status).toBe("SEARCHING");
  });
});
