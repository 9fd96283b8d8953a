import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createMatchmakerClient, type Lobby, MatchmakerClient, MatchmakerError, type TicketChange } from "../src/index.js";
import { type TestApp, tokenFor, waitFor } from "../../test/support/app.js";
import { type FakeGameServer, startFakeGameServer } from "../../test/support/fake-game-server.js";
import { parseCatalog } from "../../src/config/catalog.js";
import { SERVER_SECRET, serverCatalogYaml } from "../../test/support/server-catalog.js";
import { bothModes, watcherReady } from "../../test/e2e/modes.js";

/** A WebSocket that tests can cut, as a network loss would (no close frame). */
class CuttableSocket extends WebSocket {
  static open = new Set<CuttableSocket>();
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    CuttableSocket.open.add(this);
    this.on("close", () => CuttableSocket.open.delete(this));
  }
  static cutAll() {
    for (const s of CuttableSocket.open) s.terminate();
  }
}

/**
 * The server catalog, its lobby type with a ranked queue (±50, ±200 after 1.5 s of waiting) and a
 * steady one (its window widens only after a minute, so a test's frames are its own doing).
 */
const catalogWithQueue = (serverUrl: string) =>
  parseCatalog(
    `${serverCatalogYaml(serverUrl)}    queues:
      - id: ranked
        teams: { count: 2, size: 1 }
        rating: { attribute: mmr, initialWindow: 50, expansion: { kind: steps, steps: [{ afterMs: 1500, window: 200 }] }, maxWindow: 200 }
        maxWaitMs: 30000
      - id: steady
        teams: { count: 2, size: 1 }
        rating: { attribute: mmr, initialWindow: 50, expansion: { kind: steps, steps: [{ afterMs: 60000, window: 60 }] }, maxWindow: 60 }
        maxWaitMs: 120000
`,
    "client-catalog.yaml",
  );

const thrown = async (p: Promise<unknown>): Promise<MatchmakerError> => {
  try {
    await p;
  } catch (err) {
    if (err instanceof MatchmakerError) return err;
    throw err;
  }
  throw new Error("expected a MatchmakerError");
};

describe.each(bothModes())("@matchmaker/client against the real server ($name)", (mode) => {
  let server: FakeGameServer;
  let t: TestApp;
  let alice: MatchmakerClient, bob: MatchmakerClient, carol: MatchmakerClient, anonymous: MatchmakerClient;
  const lobbies: Lobby[] = [];

  const clientFor = (token: string | null) =>
    createMatchmakerClient({ url: t.url, token, webSocketImpl: CuttableSocket, ws: { retryWait: () => new Promise((r) => setTimeout(r, 200)) } });

  beforeAll(async () => {
    server = await startFakeGameServer();
  });
  beforeEach(async () => {
    server.reset();
    t = await mode.start({ catalog: catalogWithQueue(server.url), worker: true, env: { WORKER_BLOCK_MS: "50", MATCH_TICK_MS: "100" } });
    const [a, b, c] = await Promise.all([tokenFor("alice"), tokenFor("bob"), tokenFor("carol")]);
    [alice, bob, carol, anonymous] = [clientFor(a), clientFor(b), clientFor(c), clientFor(null)];
  });
  afterEach(async () => {
    for (const l of lobbies.splice(0)) l.stop();
    await Promise.all([alice, bob, carol, anonymous].map((c) => c.close()));
    await t.close();
  });
  afterAll(async () => {
    await server.close();
    await mode.teardown();
  });

  const typeWatcherReady = async (before: number) => watcherReady(t, t.app.backends.bus.topics.gameType("lobby"), before, mode.redisUrl());
  const watchers = () => t.app.backends.bus.localSubscribers(t.app.backends.bus.topics.gameType("lobby"));

  it("runs the typed operations and reports refusals with their extensions.code", async () => {
    const g = await alice.createGame({ gameType: "lobby", capacity: 2, labels: {} });
    expect(g).toMatchObject({ state: "OPEN", freeSeats: 1, creator: { id: "alice" }, seats: [{ player: { id: "alice" }, confirmed: true }] });
    const joined = await bob.joinGame(g.id);
    expect(joined).toMatchObject({ state: "FULL", players: [{ id: "alice" }, { id: "bob" }] });
    expect((await anonymous.games({ filter: { gameType: "lobby" } })).edges.map((e) => e.node.id)).toEqual([g.id]);

    expect((await thrown(carol.joinGame(g.id))).code).toBe("GAME_FULL");
    expect((await thrown(bob.joinGame(g.id))).code).toBe("ALREADY_JOINED");
    expect((await thrown(anonymous.createGame({ gameType: "lobby" }))).code).toBe("UNAUTHENTICATED");
    const badToken = createMatchmakerClient({ url: t.url, token: "not-a-jwt" });
    const refused = await thrown(badToken.gameTypes());
    expect([refused.code, refused.message]).toEqual(["UNAUTHENTICATED", expect.stringContaining("not a JWT")]);
    expect((await thrown(alice.createGame({ gameType: "no-such-type" }))).code).toBe("UNKNOWN_GAME_TYPE");
  });

  it("watches a lobby live: a created game appears, a join updates it, a game that leaves the filter goes", async () => {
    const snapshots: string[][] = [];
    const before = watchers();
    const lobby = anonymous.watchLobby({ gameType: "lobby", filter: { minFreeSeats: 1 } }, (l) =>
      snapshots.push(l.games().map((g) => `${g.id}:${g.freeSeats}`)),
    );
    lobbies.push(lobby);
    await typeWatcherReady(before);
    await waitFor(() => lobby.ready, "the first snapshot");
    expect(lobby.games()).toEqual([]);

    const g = await alice.createGame({ gameType: "lobby", capacity: 3 });
    await waitFor(() => lobby.games().some((x) => x.id === g.id && x.freeSeats === 2), "the created game in the lobby");
    await bob.joinGame(g.id);
    await waitFor(() => lobby.games().find((x) => x.id === g.id)?.freeSeats === 1, "bob's join");
    expect(lobby.games()[0]!.seats.map((s) => s.player.name)).toEqual(["Alice", "Bob"]);
    await carol.joinGame(g.id); // FULL: no free seat left, so it leaves a minFreeSeats: 1 lobby
    await waitFor(() => lobby.games().length === 0, "the full game to leave the lobby");
    expect(snapshots.at(-1)).toEqual([]);
  });

  it("resyncs by version after the socket is lost: a change made while disconnected shows once it reconnects", async () => {
    const g = await alice.createGame({ gameType: "lobby", capacity: 4 });
    const before = watchers();
    const lobby = anonymous.watchLobby({ gameType: "lobby" }, () => {});
    lobbies.push(lobby);
    await typeWatcherReady(before);
    await waitFor(() => lobby.games().some((x) => x.id === g.id), "the game in the lobby");
    const version = lobby.games()[0]!.version;

    CuttableSocket.cutAll();
    await waitFor(() => watchers() === before, "the server to notice the lost socket");
    await bob.joinGame(g.id); // nobody is subscribed: this change is never delivered
    const other = await carol.createGame({ gameType: "lobby", capacity: 4 });

    await waitFor(() => lobby.games().find((x) => x.id === g.id)?.version === version + 1, "the resync after reconnecting", 8_000);
    expect(lobby.games().find((x) => x.id === g.id)!.players.map((p) => p.id)).toEqual(["alice", "bob"]);
    await waitFor(() => lobby.games().some((x) => x.id === other.id), "the game created while disconnected");
  });

  it("follows tickets through a widened window to one match, with the game's teams, each change once", async () => {
    const a = await alice.enqueueMatchTicket({ gameType: "lobby", queue: "ranked", rating: 1500 });
    expect(a).toMatchObject({ status: "SEARCHING", version: 1, window: 50, game: null });
    const frames = { alice: [] as string[], bob: [] as string[] };
    const show = (who: keyof typeof frames) => (c: TicketChange) => frames[who].push(`${c.ticket.status} v${c.ticket.version}${c.ticket.window === null ? "" : ` ±${c.ticket.window}`}`);
    const forAlice = alice.followTicket(a.id, show("alice"));
    await waitFor(() => frames.alice.length === 1, "alice's ticket as it stands");
    // Bob comes 300 ms later, so that alice's window surely widens (and she is told) before his,
    // which the match needs too. 100 apart: outside both ±50 windows, inside both at ±200.
    await new Promise((r) => setTimeout(r, 300));
    const b = await bob.enqueueMatchTicket({ gameType: "lobby", queue: "ranked", rating: 1600 });
    const forBob = bob.followTicket(b.id, show("bob"), { afterVersion: b.version });
    const [aliceEnd, bobEnd] = await Promise.all([forAlice.outcome, forBob.outcome]);
    expect(aliceEnd).toMatchObject({ status: "MATCHED", version: 2, teamDifference: 100 });
    expect(bobEnd.game!.id).toBe(aliceEnd.game!.id);
    expect(aliceEnd.game!.match).toMatchObject({ queue: "ranked", teamDifference: 100, ratingSpread: 100 });
    expect([...aliceEnd.game!.match!.teams].sort()).toEqual([["alice"], ["bob"]]);
    // Alice widens first (her wait is longer), and the match needs bob's widening too (at 1.5 s each).
    expect(frames.alice).toEqual(["SEARCHING v1 ±50", "SEARCHING v1 ±200", "MATCHED v2"]);
    // Bob had version 1 already; his own widening may come just before the match.
    expect(frames.bob.at(-1)).toBe("MATCHED v2");
    expect(frames.bob.filter((f) => f !== "SEARCHING v1 ±200")).toEqual(["MATCHED v2"]);
    expect((await alice.matchTicket(a.id))!.status).toBe("MATCHED");
  });

  it("follows a ticket across lost sockets: nothing twice after a reconnect, and a cancel made meanwhile arrives", async () => {
    const c = await carol.enqueueMatchTicket({ gameType: "lobby", queue: "steady", rating: 3000 });
    const topic = t.app.backends.bus.topics.ticket(c.id);
    const before = t.app.backends.bus.localSubscribers(topic);
    const seen: string[] = [];
    const followed = carol.followTicket(c.id, (x) => seen.push(`${x.ticket.status} v${x.ticket.version}`));
    await watcherReady(t, topic, before, mode.redisUrl());
    await waitFor(() => seen.length === 1, "the ticket as it stands");

    const lost = () => t.app.backends.bus.localSubscribers(topic) === before;
    // Back on a new socket, the server answers the resubscription with the ticket as it stands: seen already.
    CuttableSocket.cutAll();
    await waitFor(lost, "the server to notice the lost socket");
    await waitFor(() => !lost(), "the resubscription", 8_000);
    await watcherReady(t, topic, before, mode.redisUrl());
    expect(seen).toEqual(["SEARCHING v1"]);

    CuttableSocket.cutAll();
    await waitFor(lost, "the server to notice the lost socket again");
    expect(await carol.cancelMatchTicket(c.id)).toMatchObject({ cancelled: true, ticket: { status: "CANCELLED", version: 2 } });

    expect(await followed.outcome).toMatchObject({ status: "CANCELLED", version: 2, reason: "cancelled_by_owner" });
    expect(seen).toEqual(["SEARCHING v1", "CANCELLED v2"]);
    expect((await thrown(bob.cancelMatchTicket(c.id))).code).toBe("TICKET_NOT_FOUND");
    // Following an ended ticket from the version one already has still tells how it ended.
    expect(await carol.followTicket(c.id, () => {}, { afterVersion: 2 }).outcome).toMatchObject({ status: "CANCELLED", version: 2 });
  });

  it("goes on following a ticket when its token expires, with the fresh one its token function gives", async () => {
    const dave = clientFor(await tokenFor("dave"));
    // The follower's first token (its socket's) lasts 3 s; each one after is fresh.
    const short = await tokenFor("dave", { expiresIn: "3s" });
    let asked = 0;
    const follower = createMatchmakerClient({
      url: t.url,
      token: async () => (asked++ === 0 ? short : tokenFor("dave")),
      webSocketImpl: CuttableSocket,
      ws: { retryWait: () => new Promise((r) => setTimeout(r, 200)) },
    });
    try {
      const d = await dave.enqueueMatchTicket({ gameType: "lobby", queue: "steady", rating: 5000 });
      const topic = t.app.backends.bus.topics.ticket(d.id);
      const before = t.app.backends.bus.localSubscribers(topic);
      const seen: string[] = [];
      const followed = follower.followTicket(d.id, (x) => seen.push(`${x.ticket.status} v${x.ticket.version}`));
      await watcherReady(t, topic, before, mode.redisUrl());
      await waitFor(() => seen.length === 1, "the ticket as it stands");
      // The server closes the socket at the token's exp (4419 "Token expired"); the client comes back with a new token.
      await waitFor(() => t.app.backends.bus.localSubscribers(topic) === before, "the socket closed at the token's expiry", 6_000);
      await waitFor(() => t.app.backends.bus.localSubscribers(topic) > before, "the resubscription with a fresh token", 8_000);
      await watcherReady(t, topic, before, mode.redisUrl());
      expect(asked).toBeGreaterThanOrEqual(2);
      await dave.cancelMatchTicket(d.id);
      expect(await followed.outcome).toMatchObject({ status: "CANCELLED", version: 2 });
      expect(seen).toEqual(["SEARCHING v1", "CANCELLED v2"]);
    } finally {
      await Promise.all([dave.close(), follower.close()]);
    }
  });

  it("keeps a client's subscriptions when a followTicket listener throws, and says so on the outcome", async () => {
    const d = await bob.enqueueMatchTicket({ gameType: "lobby", queue: "steady", rating: 1000 });
    const broken = bob.followTicket(d.id, () => {
      throw new Error("a bug in the game's UI");
    });
    expect((await thrown(broken.outcome)).code).toBe("LISTENER_FAILED");
    // The same socket still serves: a second watch hears the ticket, then its cancel.
    const seen: string[] = [];
    const again = bob.followTicket(d.id, (x) => seen.push(`${x.ticket.status} v${x.ticket.version}`));
    await waitFor(() => seen.length === 1, "the ticket on the same socket");
    await bob.cancelMatchTicket(d.id);
    expect(await again.outcome).toMatchObject({ status: "CANCELLED" });
    expect(seen).toEqual(["SEARCHING v1", "CANCELLED v2"]);
  });

  it("findOrQuickJoin joins the invited game while it has room, then falls back to quickJoin", async () => {
    const invite = await alice.createGame({ gameType: "lobby", capacity: 2 });
    expect(await bob.findOrQuickJoin({ gameType: "lobby" }, { gameId: invite.id })).toMatchObject({ via: "invited", game: { id: invite.id } });
    expect(await bob.findOrQuickJoin({ gameType: "lobby" }, { gameId: invite.id })).toMatchObject({ via: "already", game: { id: invite.id } });
    const fallback = await carol.findOrQuickJoin({ gameType: "lobby" }, { gameId: invite.id });
    expect(fallback.via).toBe("quickJoin");
    expect(fallback.game.id).not.toBe(invite.id);
    expect(fallback.game.players.map((p) => p.id)).toEqual(["carol"]);
  });

  it("waitUntilConnectable resolves with the game server's address once the host has connected", async () => {
    const g = await alice.createGame({ gameType: "duel" });
    const joined = await bob.joinGame(g.id);
    expect([joined.hostConnected, joined.server]).toEqual([false, null]);
    let settled = false;
    const waiting = bob.waitUntilConnectable(g.id, { timeoutMs: 10_000 });
    waiting.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);

    // The game server reports its host, as a server that cannot reach Redis does.
    const res = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${SERVER_SECRET}` },
      body: JSON.stringify({
        query: "mutation($e: [GameEventInput!]!) { reportGameEvents(events: $e) }",
        variables: { e: [{ gameType: "duel", gameId: g.id, type: "state_change", fields: { new_state: "creator_joined" } }] },
      }),
    });
    expect(((await res.json()) as { data: unknown }).data).toEqual({ reportGameEvents: 1 });
    const access = await waiting;
    expect(access).toMatchObject({ socketUrl: "ws://127.0.0.1:1/ws", token: server.games.get(g.id)!.gameToken, game: { hostConnected: true } });
  });

  it("waitUntilConnectable rejects with GAME_ENDED when the game goes away first", async () => {
    const g = await alice.createGame({ gameType: "duel" });
    await bob.joinGame(g.id);
    const waiting = thrown(bob.waitUntilConnectable(g.id, { timeoutMs: 10_000 }));
    await new Promise((r) => setTimeout(r, 200));
    await alice.deleteGame(g.id);
    expect((await waiting).code).toBe("GAME_ENDED");
  });
});
