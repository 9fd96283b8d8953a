import { beforeEach, describe, expect, it } from "vitest";
import { codeOf, waitFor } from "../support/app.js";
import { type ApiClient, ok } from "../support/api-client.js";
import type { FakeGameServer } from "../support/fake-game-server.js";
import { SERVER_SECRET } from "../support/server-catalog.js";
import { useHostedApp } from "./hosted.js";
import { bothModes } from "./modes.js";

describe.each(bothModes())("control calls to the game server ($name)", (mode) => {
  // With a worker (matchmaker all), which sends what the game-server outbox keeps.
  const h = useHostedApp(mode, () => ({ worker: true, env: { GAME_SERVER_TIMEOUT_MS: "300", SWEEP_INTERVAL_MS: "100", WORKER_BLOCK_MS: "50" } }));
  let server: FakeGameServer, api: ApiClient, alice: string, bob: string;
  beforeEach(() => ({ server, api, alice, bob } = h));

  const gameCount = async () => (await ok(api.games({ filter: { gameType: "duel" } }))).games.totalCount;

  it("creates the game on the server with the contract's body and hands its token to players only", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "duel" } }, alice))).createGame;
    const [req] = server.requestsTo("/create_game");
    expect(JSON.parse(req!.rawBody)).toEqual({ gameId: g.id, userId: "alice", username: "Alice" });
    expect(req!.headers.authorization).toBe(`Bearer ${SERVER_SECRET}`);
    const token = server.games.get(g.id)!.gameToken;
    expect(g.server).toEqual({ socketUrl: "ws://127.0.0.1:1/ws", token });
    expect((await ok(api.game({ id: g.id }, bob))).game!.server).toBeNull();
  });

  it("calls join_game before seating, remove_player when a seat is freed, remove_game on delete", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "duel" } }, alice))).createGame;
    const joined = (await ok(api.joinGame({ id: g.id }, bob))).joinGame;
    expect(JSON.parse(server.requestsTo("/join_game")[0]!.rawBody)).toEqual({ gameId: g.id, userId: "bob", username: "Bob" });
    expect(joined.seats.find((s) => s.player.id === "bob")).toMatchObject({ confirmed: false });
    // The game server refuses bob until the host is there, so bob gets no address yet; the host does.
    expect([joined.hostConnected, joined.server]).toEqual([false, null]);
    expect((await ok(api.game({ id: g.id }, alice))).game!.server!.token).toBe(server.games.get(g.id)!.gameToken);

    await ok(api.leaveGame({ id: g.id }, bob));
    expect(JSON.parse(server.requestsTo("/remove_player")[0]!.rawBody)).toEqual({ gameId: g.id, userId: "bob" });
    await ok(api.deleteGame({ id: g.id }, alice));
    expect(JSON.parse(server.requestsTo("/remove_game")[0]!.rawBody)).toEqual({ gameId: g.id });
    expect(server.games.has(g.id)).toBe(false);
    expect(server.requestsTo("/remove_player").map((r) => (r.body as { userId: string }).userId)).not.toContain("alice");
  });

  it("keeps a remove_player the server did not take for later, and drops it when the player has joined again", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "duel" } }, alice))).createGame;
    const toBob = () => server.requestsTo("/remove_player").filter((r) => (r.body as { userId: string }).userId === "bob").length;
    await ok(api.joinGame({ id: g.id }, bob));
    server.fail("/remove_player", { status: 503, message: "busy", times: 3 });
    await ok(api.leaveGame({ id: g.id }, bob)); // the call and its two retries fail: kept for a worker
    expect(toBob()).toBe(3);
    await waitFor(() => toBob() === 4, "bob's remove_player from the outbox", 8_000);
    // Again, but bob is back before the outbox's turn: the kept call would kick him.
    server.fail("/remove_player", { status: 503, message: "busy", times: 3 });
    await ok(api.joinGame({ id: g.id }, bob));
    await ok(api.leaveGame({ id: g.id }, bob));
    await ok(api.joinGame({ id: g.id }, bob));
    const sent = toBob();
    await new Promise((r) => setTimeout(r, 3_500));
    expect(toBob()).toBe(sent);
    expect((await ok(api.game({ id: g.id }, alice))).game!.players.map((p) => p.id)).toEqual(["alice", "bob"]);
  }, 20_000);

  it("answers GAME_SERVER_REJECTED with the server's message on a 4xx, and stores nothing", async () => {
    server.fail("/create_game", { status: 409, message: "too many games for this user" });
    const r = await api.createGame({ input: { gameType: "duel" } }, alice);
    expect(codeOf(r)).toBe("GAME_SERVER_REJECTED");
    expect(r.errors![0]!.message).toContain("too many games for this user");
    expect(await gameCount()).toBe(0);
  });

  it.each([
    ["500", (s: FakeGameServer) => s.fail("/create_game", { status: 500, message: "boom" })],
    ["slow", (s: FakeGameServer) => s.delay("/create_game", 1_000)],
    ["refused", (s: FakeGameServer) => s.stop()],
  ])("answers GAME_SERVER_UNAVAILABLE when the server is %s, leaving nothing stored or behind", async (_, fault) => {
    await fault(server);
    try {
      const r = await api.createGame({ input: { gameType: "duel" } }, alice);
      expect(codeOf(r)).toBe("GAME_SERVER_UNAVAILABLE");
      expect(await gameCount()).toBe(0);
    } finally {
      await server.start().catch(() => undefined);
    }
    // A slow server creates the game after we gave up (at 1 s); the outbox's second
    // remove_game (4 × the 300 ms timeout after the failure) removes it again.
    await waitFor(() => server.requestsTo("/remove_game").length >= 2, "the second remove_game", 5_000);
    await waitFor(() => server.games.size === 0, "the server game to be gone");
  });

  it("answers right after create_game fails when the server answers nothing, and removes the game there later", async () => {
    // A server that takes calls and never answers any of them.
    for (const path of ["/create_game", "/remove_game"]) server.delay(path, 60_000);
    const started = Date.now();
    const r = await api.createGame({ input: { gameType: "duel" } }, alice);
    const took = Date.now() - started;
    expect(codeOf(r)).toBe("GAME_SERVER_UNAVAILABLE");
    // The create timeout (300 ms) and a small bound; no remove_game retries in the way.
    expect(took).toBeLessThan(300 + 700);
    const gameId = (server.requestsTo("/create_game")[0]!.body as { gameId: string }).gameId;
    expect(await gameCount()).toBe(0);
    // The server answers again: the remove_game kept for it arrives from the worker.
    server.reset();
    await waitFor(() => server.requestsTo("/remove_game").some((q) => (q.body as { gameId: string }).gameId === gameId), "remove_game from the outbox", 10_000);
  });

  it("does not seat a player the server refused or could not be asked about", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "duel" } }, alice))).createGame;
    server.fail("/join_game", { status: 403, message: "banned from this server", times: 1 });
    const refused = await api.joinGame({ id: g.id }, bob);
    expect(codeOf(refused)).toBe("GAME_SERVER_REJECTED");
    expect(refused.errors![0]!.message).toContain("banned from this server");
    server.fail("/join_game", { status: 503, message: "overloaded" });
    expect(codeOf(await api.joinGame({ id: g.id }, bob))).toBe("GAME_SERVER_UNAVAILABLE");
    const stored = (await ok(api.game({ id: g.id }))).game!;
    expect(stored).toMatchObject({ version: 1, freeSeats: 3 });
  });

  it("skips control calls for lobby-only types", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "lobby" } }, alice))).createGame;
    await ok(api.joinGame({ id: g.id }, bob));
    await ok(api.deleteGame({ id: g.id }, alice));
    expect(server.requests).toHaveLength(0);
  });
});
