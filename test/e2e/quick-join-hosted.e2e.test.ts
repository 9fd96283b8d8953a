import { beforeEach, describe, expect, it } from "vitest";
import { codeOf, tokenFor } from "../support/app.js";
import { type ApiClient, ok } from "../support/api-client.js";
import type { FakeGameServer } from "../support/fake-game-server.js";
import { formParty, matchClient, type MatchClient } from "../support/match-client.js";
import { useHostedApp } from "./hosted.js";
import { bothModes } from "./modes.js";
import { streamAccess } from "./stream-access.js";

const bodyOf = (r: { rawBody: string }) => JSON.parse(r.rawBody) as Record<string, string>;

describe.each(bothModes())("quickJoin on a game-server type ($name)", (mode) => {
  const h = useHostedApp(mode, () => ({ worker: true, env: { GAME_SERVER_TIMEOUT_MS: "400", WORKER_BLOCK_MS: "20" } }));
  let server: FakeGameServer, api: ApiClient, mm: MatchClient, alice: string, bob: string;
  beforeEach(() => {
    ({ server, api, alice, bob } = h);
    mm = matchClient(h.t.url);
  });
  const quick = (token: string, partyId?: string) => mm.quickJoin({ input: { gameType: "duel", partyId } }, token);

  it("creates the game on the server, then seats the next player through join_game; each gets the token once the host is there", async () => {
    const created = (await ok(quick(alice))).quickJoin;
    expect(bodyOf(server.requestsTo("/create_game")[0]!)).toEqual({ gameId: created.id, userId: "alice", username: "Alice" });
    const token = server.games.get(created.id)!.gameToken;
    // The host connects first, so alice has the address at once.
    expect(created).toMatchObject({ state: "CREATED", version: 2, hostConnected: false, server: { token } });
    const joined = (await ok(quick(bob))).quickJoin;
    expect(joined.id).toBe(created.id);
    expect(bodyOf(server.requestsTo("/join_game")[0]!)).toEqual({ gameId: created.id, userId: "bob", username: "Bob" });
    expect(joined.seats.find((s) => s.player.id === "bob")).toMatchObject({ confirmed: false });
    expect([joined.hostConnected, joined.server]).toEqual([false, null]);
    // The game server reports the host: now bob may connect.
    const s = streamAccess(h.t, mode.redisUrl());
    try {
      await s.xadd({ product_id: "duel", game_id: created.id, type: "state_change", new_state: "creator_joined" });
      await s.drained();
    } finally {
      s.close();
    }
    const seen = (await ok(api.game({ id: created.id }, bob))).game!;
    expect(seen).toMatchObject({ state: "OPEN", hostConnected: true, server: { token } });
  });

  it("seats racers in the game while its server is still creating it, joining them only once it exists", async () => {
    server.delay("/create_game", 250, 1);
    const racers = await Promise.all(["r1", "r2", "r3"].map((s) => tokenFor(s)));
    const first = quick(alice);
    await new Promise((r) => setTimeout(r, 50)); // alice's game is stored and listed by now
    const results = await Promise.all([first, ...racers.map((tok) => quick(tok))]);
    const games = results.map((r) => r.data!.quickJoin);
    expect(new Set(games.map((g) => g.id)).size).toBe(1);
    expect(server.requestsTo("/create_game")).toHaveLength(1);
    // join_game only ever reached a game the server had created (it answers 400 otherwise).
    const onServer = server.games.get(games[0]!.id)!;
    expect([...onServer.players.keys()].sort()).toEqual(["alice", "r1", "r2", "r3"]);
    // Only the host has the address before the host has connected.
    expect(games[0]!.server!.token).toBe(onServer.gameToken);
    for (const g of games.slice(1)) expect(g.server).toBeNull();
  });

  it("removes the game everywhere when create_game fails, and frees the seats of a party the server would not take", async () => {
    server.fail("/create_game", { status: 500, message: "boom", times: 1 });
    expect(codeOf(await quick(alice))).toBe("GAME_SERVER_UNAVAILABLE");
    const failedId = bodyOf(server.requestsTo("/create_game")[0]!).gameId!;
    expect((await ok(api.game({ id: failedId }))).game).toBeNull();

    const g = (await ok(quick(alice))).quickJoin;
    server.fail("/join_game", { status: 503, message: "overloaded", times: 1 });
    expect(codeOf(await quick(bob, await formParty(h.t.url, "duel", "bob", ["dave"])))).toBe("GAME_SERVER_UNAVAILABLE");
    // bob's join_game may have happened before the failure: he is removed again, and no one keeps a seat.
    expect(server.requestsTo("/remove_player").map((r) => bodyOf(r).userId)).toEqual(["bob"]);
    const after = (await ok(api.game({ id: g.id }))).game!;
    expect(after.players.map((p) => p.id)).toEqual(["alice"]);
  });
});
