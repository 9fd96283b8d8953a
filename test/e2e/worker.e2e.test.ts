import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GameChangedSubscription } from "../generated/graphql.js";
import { codeOf, gql, subscribe, type TestApp, wsClient } from "../support/app.js";
import { type ApiClient, ok } from "../support/api-client.js";
import type { FakeGameServer } from "../support/fake-game-server.js";
import { SERVER_SECRET } from "../support/server-catalog.js";
import { useHostedApp } from "./hosted.js";
import { bothModes, watcherReady } from "./modes.js";
import { GAME_CHANGED } from "./operations.js";
import { streamAccess } from "./stream-access.js";

const WORKER_ENV = { WORKER_BLOCK_MS: "20", WORKER_CLAIM_IDLE_MS: "200", SWEEP_INTERVAL_MS: "600000" };

describe.each(bothModes())("the worker applies game-server events ($name)", (mode) => {
  const h = useHostedApp(mode, () => ({ worker: true, env: WORKER_ENV }));
  let server: FakeGameServer, t: TestApp, api: ApiClient, alice: string, bob: string;
  let s: ReturnType<typeof streamAccess>;
  const clients: ReturnType<typeof wsClient>[] = [];
  beforeEach(() => {
    ({ server, t, api, alice, bob } = h);
    s = streamAccess(t, mode.redisUrl());
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    s.close();
  });

  const ev = (gameId: string, type: string, extra: Record<string, string> = {}) => ({
    product_id: "duel",
    game_id: gameId,
    type,
    ...extra,
  });

  it("drives a game through its life cycle, every change reaching watchers with its version", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "duel" } }, alice))).createGame;
    await ok(api.joinGame({ id: g.id }, bob));
    const client = wsClient(t.wsUrl);
    clients.push(client);
    const topic = t.app.backends.bus.topics.game(g.id);
    const before = t.app.backends.bus.localSubscribers(topic);
    const sub = subscribe<GameChangedSubscription>(client, GAME_CHANGED, { id: g.id });
    await watcherReady(t, topic, before, mode.redisUrl());

    await s.xadd(
      ev(g.id, "state_change", { new_state: "creator_joined" }),
      ev(g.id, "player_connected", { player_id: "bob" }),
      ev(g.id, "state_change", { new_state: "all_players_joined" }),
      ev(g.id, "state_change", { new_state: "in_progress" }),
      ev(g.id, "gameplay", { event_name: "move", user_id: "alice" }),
      ev(g.id, "heartbeat"),
      ev(g.id, "metadata", { "meta.map": "dust", "meta.round": "3" }),
      ev(g.id, "game_over", { winner_id: "alice", loser_id: "bob" }),
    );
    const seen = [];
    for (let i = 0; i < 6; i++) seen.push((await sub.next()).data!.gameChanged);
    expect(seen.map((c) => [c.version, c.game!.state])).toEqual([
      [3, "OPEN"],
      [4, "OPEN"],
      [5, "FULL"],
      [6, "IN_PROGRESS"],
      [7, "IN_PROGRESS"],
      [8, "ENDED"],
    ]);
    const stored = (await gql<{ game: { labels: unknown; result: unknown; seats: { player: { id: string }; confirmed: boolean }[] } }>(
      t.url,
      `query($id: ID!) { game(id: $id) { labels result seats { player { id } confirmed } } }`,
      { id: g.id },
    )).data!.game;
    expect(stored).toEqual({
      labels: { map: "dust", round: 3 },
      result: { winner_id: "alice", loser_id: "bob" },
      seats: [
        { player: { id: "alice" }, confirmed: true },
        { player: { id: "bob" }, confirmed: true },
      ],
    });

    await s.xadd(ev(g.id, "game_removed"));
    expect((await sub.next()).data!.gameChanged).toMatchObject({ kind: "DELETED", version: 9 });
    await s.drained();
    expect((await ok(api.game({ id: g.id }))).game).toBeNull();
    // The game server removed the game itself: it is not called back.
    expect(server.requestsTo("/remove_game")).toHaveLength(0);
  });

  it("frees a disconnected player's seat and lists the game again", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "duel", capacity: 2 } }, alice))).createGame;
    await ok(api.joinGame({ id: g.id }, bob));
    await s.xadd(ev(g.id, "state_change", { new_state: "creator_joined" }), ev(g.id, "player_disconnect", { player_id: "bob" }));
    await s.drained();
    const after = (await ok(api.game({ id: g.id }))).game!;
    expect(after).toMatchObject({ state: "OPEN", freeSeats: 1 });
    const listed = (await ok(api.games({ filter: { gameType: "duel", minFreeSeats: 1, states: ["OPEN"] } }))).games;
    expect(listed.edges.map((e) => e.node.id)).toContain(g.id);
  });

  it("applies an event with an event_id once, however often it is delivered", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "duel" } }, alice))).createGame;
    const once = ev(g.id, "metadata", { "meta.round": "1", event_id: "evt-1" });
    await s.xadd(once, once, once);
    await s.drained();
    expect((await ok(api.game({ id: g.id }))).game!.version).toBe(2);
  });

  it("dead-letters poison entries with their reason and original fields, acks everything, and applies the rest", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "duel" } }, alice))).createGame;
    await s.xadd(
      { game_id: g.id, type: "state_change", new_state: "creator_joined" }, // no product_id
      ev(g.id, "state_change", { new_state: "creator_joined" }),
      ev(g.id, "telemetry_v2", { fps: "60" }), // unknown but well-formed: ignored, not dead
      ev("duel_0000000000000000", "heartbeat"), // unknown game
      { product_id: "chess", game_id: "chess_0000000000000000", type: "heartbeat" }, // unknown type of game
      ev(g.id, "state_change", { new_state: "exploded" }), // malformed new_state
      ev(g.id, "metadata", { "meta.map": "dust" }),
      ev(g.id, "game_over", { winner_id: "alice" }),
      ev(g.id, "state_change", { new_state: "creator_joined" }), // illegal once ENDED: never back to the lobby
    );
    await s.drained();
    expect((await ok(api.game({ id: g.id }))).game).toMatchObject({ state: "ENDED", version: 4, labels: { map: "dust" }, result: { winner_id: "alice" } });
    const dead = await s.deadLetters();
    expect(dead.map((d) => d.dead_reason).sort()).toEqual(
      ["malformed", "unknown_game", "unknown_game_type", "invalid_transition", "malformed"].sort(),
    );
    expect(dead.find((d) => d.dead_reason === "invalid_transition")).toMatchObject({ game_id: g.id, new_state: "creator_joined" });
    expect(dead.some((d) => d.type === "telemetry_v2")).toBe(false);
  });

  it("takes events over reportGameEvents from a game server holding its type's secret", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "duel" } }, alice))).createGame;
    const report = `mutation($events: [GameEventInput!]!) { reportGameEvents(events: $events) }`;
    const events = [{ gameType: "duel", gameId: g.id, type: "state_change", fields: { new_state: "creator_joined" } }];
    expect(codeOf(await gql(t.url, report, { events }))).toBe("UNAUTHENTICATED");
    expect(codeOf(await gql(t.url, report, { events }, alice))).toBe("FORBIDDEN");
    expect(codeOf(await gql(t.url, report, { events: [{ ...events[0], gameType: "lobby" }] }, SERVER_SECRET))).toBe("FORBIDDEN");
    expect((await gql(t.url, report, { events }, SERVER_SECRET)).data).toEqual({ reportGameEvents: 1 });
    await s.drained();
    expect((await ok(api.game({ id: g.id }))).game).toMatchObject({ state: "OPEN", version: 2 });
  });
});
