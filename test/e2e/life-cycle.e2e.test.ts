import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { EventType } from "../../src/domain/game-events.js";
import type { GameChangedSubscription } from "../generated/graphql.js";
import { subscribe, type TestApp, tokenFor, wsClient } from "../support/app.js";
import { apiClient, type ApiClient, ok } from "../support/api-client.js";
import { formParty, matchClient, type MatchClient } from "../support/match-client.js";
import { GAME_CHANGED } from "./operations.js";
import { bothModes, watcherReady } from "./modes.js";

/** The sample catalog's lobby type (party-quiz, 8 seats, no game server), on both backends. */
describe.each(bothModes())("life cycle of lobby games ($name)", (mode) => {
  let t: TestApp, api: ApiClient, mm: MatchClient, alice: string;
  const clients: ReturnType<typeof wsClient>[] = [];
  beforeEach(async () => {
    t = await mode.start();
    api = apiClient(t.url);
    mm = matchClient(t.url);
    alice = await tokenFor("alice");
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await t.close();
  });
  afterAll(() => mode.teardown());

  const listed = async (filter: Record<string, unknown>) =>
    (await ok(api.games({ filter: { gameType: "party-quiz", ...filter } }))).games.edges.map((e) => e.node);

  it("makes a game whose party fills every seat FULL, listed and counted as such", async () => {
    const partyId = await formParty(t.url, "party-quiz", "alice", ["b", "c", "d", "e", "f", "g", "h"]);
    const g = (await ok(mm.quickJoin({ input: { gameType: "party-quiz", region: "eu", partyId } }, alice))).quickJoin;
    expect(g).toMatchObject({ state: "FULL", freeSeats: 0 });
    expect((await listed({ states: ["OPEN"] })).map((x) => x.id)).not.toContain(g.id);
    expect((await listed({ minFreeSeats: 1 })).map((x) => x.id)).not.toContain(g.id);
    expect(await listed({ states: ["FULL"] })).toEqual([expect.objectContaining({ id: g.id, state: "FULL" })]);
    // The next caller gets a game of its own: a full one is no candidate.
    const next = (await ok(mm.quickJoin({ input: { gameType: "party-quiz", region: "eu" } }, await tokenFor("zed")))).quickJoin;
    expect(next.id).not.toBe(g.id);
  });

  it("opens a lobby game at creation, so an OPEN watcher sees it at once (the README's example)", async () => {
    const client = wsClient(t.wsUrl);
    clients.push(client);
    const topic = t.app.backends.bus.topics.gameType("party-quiz");
    const before = t.app.backends.bus.localSubscribers(topic);
    const sub = subscribe<GameChangedSubscription>(client, GAME_CHANGED, { gameType: "party-quiz", states: ["OPEN", "FULL"] });
    await watcherReady(t, topic, before, mode.redisUrl());
    const g = (await ok(api.createGame({ input: { gameType: "party-quiz", region: "eu", labels: { mode: "casual", skill: 1200 } } }, alice))).createGame;
    const msg = (await sub.next()).data!.gameChanged;
    expect(msg).toMatchObject({ kind: "CREATED", gameId: g.id, version: 1, game: { state: "OPEN", freeSeats: 7 } });
    // It expires by the OPEN timeout (creator_joined: 300 s in the sample catalog), not created's 60 s.
    expect(new Date(g.expiresAt!).getTime() - new Date(g.createdAt).getTime()).toBe(300_000);
  });

  it("never lists an ENDED game unless asked for", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "party-quiz" } }, alice))).createGame;
    await t.app.service.applyGameEvent({ gameType: "party-quiz", gameId: g.id, eventId: null, type: EventType.GAME_OVER, result: { winner_id: "alice" } });
    expect((await listed({})).map((x) => x.id)).not.toContain(g.id);
    expect(await listed({ states: ["ENDED"] })).toEqual([expect.objectContaining({ id: g.id, state: "ENDED" })]);
  });
});
