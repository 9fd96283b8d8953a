import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createMatchmakerClient, type Lobby, MatchmakerClient, MatchmakerError } from "../src/index.js";
import { type TestApp, tokenFor, waitFor } from "../../test/support/app.js";
import { type FakeGameServer, startFakeGameServer } from "../../test/support/fake-game-server.js";
import { SERVER_SECRET, serverCatalog } from "../../test/support/server-catalog.js";
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
    t = await mode.start({ catalog: serverCatalog(server.url), worker: true, env: { WORKER_BLOCK_MS: "50" } });
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
