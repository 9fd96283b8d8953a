import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EventType } from "../../src/domain/game-events.js";
import { GameState } from "../../src/domain/game.js";
import type { GameChangedSubscription } from "../generated/graphql.js";
import { codeOf, subscribe, type TestApp, tokenFor, waitFor, wsClient } from "../support/app.js";
import { apiClient, type ApiClient, ok } from "../support/api-client.js";
import { type FakeGameServer, startFakeGameServer } from "../support/fake-game-server.js";
import { serverCatalog } from "../support/server-catalog.js";
import { GAME_CHANGED } from "./operations.js";
import { bothModes, watcherReady } from "./modes.js";

describe.each(bothModes())("gameChanged over graphql-ws ($name)", (mode) => {
  let server: FakeGameServer;
  let t: TestApp;
  let api: ApiClient;
  let alice: string, bob: string;
  const clients: ReturnType<typeof wsClient>[] = [];

  beforeAll(async () => {
    server = await startFakeGameServer();
  });
  beforeEach(async () => {
    t = await mode.start({ catalog: serverCatalog(server.url) });
    api = apiClient(t.url);
    [alice, bob] = await Promise.all([tokenFor("alice"), tokenFor("bob")]);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await t.close();
  });
  afterAll(async () => {
    await server.close();
    await mode.teardown();
  });

  const watch = async (vars: Record<string, unknown>, topic: string, token?: string) => {
    const client = wsClient(t.wsUrl, token);
    clients.push(client);
    const before = t.app.backends.bus.localSubscribers(topic);
    const sub = subscribe<GameChangedSubscription>(client, GAME_CHANGED, vars);
    await watcherReady(t, topic, before, mode.redisUrl());
    return sub;
  };
  const topics = () => t.app.backends.bus.topics;

  it("delivers each change of one game once, with strictly increasing versions, then DELETED", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "lobby", capacity: 2 } }, alice))).createGame;
    const sub = await watch({ id: g.id }, topics().game(g.id), bob);

    await ok(api.joinGame({ id: g.id }, bob));
    await ok(api.leaveGame({ id: g.id }, bob));
    await ok(api.deleteGame({ id: g.id }, alice));

    const msgs = [await sub.next(), await sub.next(), await sub.next()].map((m) => m.data!.gameChanged);
    expect(msgs.map((m) => [m.kind, m.version])).toEqual([
      ["UPDATED", 2],
      ["UPDATED", 3],
      ["DELETED", 4],
    ]);
    expect(msgs[0]!.game).toMatchObject({ freeSeats: 0, players: [{ id: "alice" }, { id: "bob" }] });
    expect(msgs[2]!.game).toBeNull();
    await expect(sub.next(300)).rejects.toThrow(/no subscription message/);
  });

  it("shows the game-server token only to subscribers who are players", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "duel" } }, alice))).createGame;
    const asAlice = await watch({ id: g.id }, topics().game(g.id), alice);
    const anonymous = await watch({ id: g.id }, topics().game(g.id));
    await ok(api.updateGame({ id: g.id, input: { labels: { map: "dust" } } }, alice));
    expect((await asAlice.next()).data!.gameChanged.game!.server).not.toBeNull();
    expect((await anonymous.next()).data!.gameChanged.game!.server).toBeNull();
  });

  it("watches a game type's public games, never private ones, and filters by state", async () => {
    const sub = await watch({ gameType: "lobby" }, topics().gameType("lobby"));
    const full = await watch({ gameType: "lobby", states: ["FULL"] }, topics().gameType("lobby"));
    await ok(api.createGame({ input: { gameType: "lobby", visibility: "PRIVATE" } }, bob));
    await ok(api.createGame({ input: { gameType: "duel" } }, bob));
    const g = (await ok(api.createGame({ input: { gameType: "lobby", capacity: 2 } }, alice))).createGame;
    const first = (await sub.next()).data!.gameChanged;
    expect(first).toMatchObject({ kind: "CREATED", gameId: g.id, gameType: "lobby", version: 1 });

    // The game reaches FULL only through a join; the state-filtered watcher sees just that.
    await ok(api.joinGame({ id: g.id }, bob));
    expect((await sub.next()).data!.gameChanged).toMatchObject({ gameId: g.id, version: 2 });
    const onlyFull = (await full.next()).data!.gameChanged;
    expect(onlyFull).toMatchObject({ gameId: g.id, version: 2 });
  });

  it("shows a hosted game to watchers of its type only once its host connected; its own watchers see it all along", async () => {
    const lobbyWatch = await watch({ gameType: "duel", states: ["OPEN", "FULL"] }, topics().gameType("duel"));
    const g = (await ok(api.createGame({ input: { gameType: "duel", capacity: 2 } }, alice))).createGame;
    const ownWatch = await watch({ id: g.id }, topics().game(g.id), bob);
    await ok(api.joinGame({ id: g.id }, bob)); // FULL, but the host is not on the game server yet
    expect((await ownWatch.next()).data!.gameChanged).toMatchObject({ version: 2, game: { state: "FULL", server: null } });
    await t.app.service.applyGameEvent({ gameType: "duel", gameId: g.id, eventId: null, type: EventType.STATE_CHANGE, newState: GameState.OPEN });
    const joined = (await ownWatch.next()).data!.gameChanged;
    expect(joined).toMatchObject({ version: 3, game: { state: "FULL", server: { token: expect.any(String) } } });
    // The lobby watcher's first message is the one where the game became one players can connect to.
    expect((await lobbyWatch.next()).data!.gameChanged).toMatchObject({ gameId: g.id, version: 3 });
  });

  it("refuses a malformed id or an unknown game type with a typed error", async () => {
    const client = wsClient(t.wsUrl);
    clients.push(client);
    const unknownType = subscribe<GameChangedSubscription>(client, GAME_CHANGED, { gameType: "chess" });
    expect(codeOf(await unknownType.next())).toBe("UNKNOWN_GAME_TYPE");
    const malformed = subscribe<GameChangedSubscription>(client, GAME_CHANGED, { id: "../../etc" });
    const m = await malformed.next();
    expect(codeOf(m)).toBe("BAD_USER_INPUT");
    expect(m.errors![0]!.message).toMatch(/not a game id/);
  });

  // Subscribers of the same selection share one execution and one serialization of each change:
  // what each gets must still be exactly its own selection, variables and viewer.
  it("gives each of many subscribers exactly its own selection, variables and viewer, however many share one", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "lobby", capacity: 4, visibility: "PRIVATE" } }, alice))).createGame;
    const topic = topics().game(g.id);
    const SHORT = /* GraphQL */ `subscription Short($id: ID) { gameChanged(id: $id) { version game { freeSeats } } }`;
    const CODE = /* GraphQL */ `subscription Code($id: ID) { gameChanged(id: $id) { version game { joinCode } } }`;
    const open = async (query: string, vars: Record<string, unknown>, token?: string) => {
      const client = wsClient(t.wsUrl, token);
      clients.push(client);
      return subscribe<{ gameChanged: Record<string, unknown> }>(client, query, vars);
    };
    const before = t.app.backends.bus.localSubscribers(topic);
    const many = await Promise.all(Array.from({ length: 30 }, () => open(SHORT, { id: g.id })));
    const full = await open(GAME_CHANGED, { id: g.id }, bob);
    const [hostCode, bobCode, anonymousCode] = await Promise.all([open(CODE, { id: g.id }, alice), open(CODE, { id: g.id }, bob), open(CODE, { id: g.id })]);
    await waitFor(() => t.app.backends.bus.localSubscribers(topic) === before + 34, "34 watchers");
    const code = (await ok(api.game({ id: g.id }, alice))).game!.joinCode;
    expect(code).toMatch(/\S/);

    await ok(api.updateGame({ id: g.id, input: { labels: { map: "dust" } } }, alice));
    for (const m of await Promise.all(many.map((s) => s.next()))) expect(m).toEqual({ data: { gameChanged: { version: 2, game: { freeSeats: 3 } } } });
    expect((await full.next()).data!.gameChanged).toMatchObject({ kind: "UPDATED", version: 2, game: { id: g.id, freeSeats: 3, server: null } });
    expect((await hostCode.next()).data!.gameChanged).toEqual({ version: 2, game: { joinCode: code } });
    expect((await bobCode.next()).data!.gameChanged).toEqual({ version: 2, game: { joinCode: null } });
    expect((await anonymousCode.next()).data!.gameChanged).toEqual({ version: 2, game: { joinCode: null } });
  });

  it("lets an ended subscription go at once, while it still waits for its first change", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "lobby" } }, alice))).createGame;
    const topic = topics().game(g.id);
    const sub = await watch({ id: g.id }, topic);
    const watching = t.app.backends.bus.localSubscribers(topic);
    await sub.close();
    await waitFor(() => t.app.backends.bus.localSubscribers(topic) === watching - 1, "the watcher released");
  });
});
