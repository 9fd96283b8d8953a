import { beforeEach, describe, expect, it } from "vitest";
import { codeOf, type TestApp, tokenFor } from "../support/app.js";
import { type ApiClient, ok } from "../support/api-client.js";
import { formParty, type MatchClient } from "../support/match-client.js";
import { useMatchApp } from "./match-app.js";
import { bothModes } from "./modes.js";

describe.each(bothModes())("quickJoin, parties and host leaving ($name)", (mode) => {
  const h = useMatchApp(mode);
  let t: TestApp, api: ApiClient, mm: MatchClient;
  let alice: string, bob: string, carol: string;
  beforeEach(() => ({ t, api, mm, alice, bob, carol } = h));

  const quick = async (token: string, input: Record<string, unknown> = {}) =>
    (await ok(mm.quickJoin({ input: { gameType: "quad", ...input } }, token))).quickJoin;
  const watchGame = (id: string) => h.watch({ id }, t.app.backends.bus.topics.game(id));

  it("shows each type's policies", async () => {
    const types = (await ok(mm.policies())).gameTypes;
    expect(types).toEqual([
      { id: "quad", maxPlayers: 4, hostLeaves: "MIGRATE", quickJoinPrefer: "FEWEST_FREE_SEATS" },
      { id: "octo", maxPlayers: 8, hostLeaves: "CLOSE", quickJoinPrefer: "OLDEST" },
    ]);
  });

  it("quickJoin creates a game when none fits, then seats the next players in it", async () => {
    const first = await quick(alice, { region: "eu", labels: { skill: 1200 }, filter: { labels: [{ key: "mode", eq: "ranked" }] } });
    expect(first).toMatchObject({ state: "OPEN", region: "eu", creator: { id: "alice" }, labels: { mode: "ranked", skill: 1200 } });
    // Another region, or another mode, does not fit it.
    expect((await quick(bob, { region: "us" })).id).not.toBe(first.id);
    expect((await quick(bob, { region: "eu", filter: { labels: [{ key: "mode", eq: "casual" }] } })).id).not.toBe(first.id);
    const same = await quick(carol, { region: "eu", filter: { labels: [{ key: "mode", eq: "ranked" }, { key: "skill", gte: 1000, lte: 1400 }] } });
    expect(same.id).toBe(first.id);
    expect(same.players.map((p) => p.id)).toEqual(["alice", "carol"]);
    expect(same.server).toBeNull(); // lobby-only: no game server to reach
  });

  it("quickJoin seats a whole party in a game with room for all of them, and its members find their seats", async () => {
    const small = await quick(alice);
    await quick(bob); // small: 2 of 4 seats taken
    const trio = await formParty(t.url, "quad", "carol", ["dave", "erin"]);
    const party = await quick(carol, { partyId: trio });
    expect(party.id).not.toBe(small.id);
    expect(party.players.map((p) => [p.id, p.name])).toEqual([["carol", "Carol"], ["dave", "Dave"], ["erin", "Erin"]]);
    // A member sees where the party sat, with their own seat in it.
    const seen = (await ok(mm.party({ id: trio }, await tokenFor("dave")))).party!;
    expect(seen.game?.id).toBe(party.id);
    expect(seen.version).toBe(4); // created, two joins, seated
    const pair = await quick(await tokenFor("fred"), { partyId: await formParty(t.url, "quad", "fred", ["gus"]) });
    expect(pair.id).toBe(small.id);
    expect(pair).toMatchObject({ state: "FULL", freeSeats: 0 });
  });

  it("refuses a malformed quickJoin with a typed error", async () => {
    const bad = async (input: Record<string, unknown>) => codeOf(await mm.quickJoin({ input: { gameType: "quad", ...input } }, alice));
    expect(await bad({ partyId: "party_quad_0000000000000000" })).toBe("PARTY_NOT_FOUND");
    expect(await bad({ partyId: "not a party" })).toBe("PARTY_NOT_FOUND");
    // Only the leader seats a party, and only in a game of its type.
    const bobs = await formParty(t.url, "quad", "bob", ["alice"]);
    expect(await bad({ partyId: bobs })).toBe("FORBIDDEN");
    const octo = await formParty(t.url, "octo", "alice", []);
    expect(await bad({ partyId: octo })).toBe("BAD_USER_INPUT");
    expect(await bad({ region: "mars" })).toBe("BAD_USER_INPUT");
    expect(await bad({ filter: { labels: [{ key: "colour", eq: "red" }] } })).toBe("BAD_USER_INPUT");
    expect(codeOf(await mm.quickJoin({ input: { gameType: "chess" } }, alice))).toBe("UNKNOWN_GAME_TYPE");
    expect(codeOf(await mm.quickJoin({ input: { gameType: "quad" } }, ""))).toBe("UNAUTHENTICATED");
  });

  it("joinGame with a party seats all or none", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "octo", capacity: 4 } }, alice))).createGame;
    const bxyz = await formParty(t.url, "octo", "bob", ["x", "y", "z"]);
    expect(codeOf(await mm.joinWithParty({ id: g.id, partyId: bxyz }, bob))).toBe("GAME_FULL");
    // z leaves; the same party now fits.
    await ok(mm.leaveParty({ id: bxyz }, await tokenFor("z")));
    const joined = (await ok(mm.joinWithParty({ id: g.id, partyId: bxyz }, bob))).joinGame;
    expect(joined.players.map((p) => p.id)).toEqual(["alice", "bob", "x", "y"]);
    const h = (await ok(api.createGame({ input: { gameType: "octo" } }, alice))).createGame;
    await ok(mm.joinWithParty({ id: h.id, partyId: await formParty(t.url, "octo", "carol", ["x"]) }, carol));
    expect(codeOf(await mm.joinWithParty({ id: h.id, partyId: await formParty(t.url, "octo", "bob", ["w", "x"]) }, bob))).toBe("ALREADY_JOINED");
    expect((await ok(api.game({ id: h.id }))).game!.players.map((p) => p.id)).toEqual(["alice", "carol", "x"]);
  });

  it("with hostLeaves migrate, the longest-seated player becomes creator and watchers see it", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "quad", visibility: "PRIVATE" } }, alice))).createGame;
    await ok(api.joinGame({ id: g.id, joinCode: g.joinCode }, bob));
    await ok(api.joinGame({ id: g.id, joinCode: g.joinCode }, carol));
    const sub = await watchGame(g.id);
    const left = (await ok(mm.leave({ id: g.id }, alice))).leaveGame!;
    expect(left).toMatchObject({ creator: { id: "bob" }, version: 4 });
    expect(left.players.map((p) => p.id)).toEqual(["bob", "carol"]);
    expect((await sub.next()).data!.gameChanged).toMatchObject({ kind: "UPDATED", version: 4, game: { creator: { id: "bob" } } });
    // The code now shows to its new creator; the last one out closes the game.
    expect((await ok(api.game({ id: g.id }, bob))).game!.joinCode).toBe(g.joinCode);
    await ok(mm.leave({ id: g.id }, bob));
    expect((await ok(mm.leave({ id: g.id }, carol))).leaveGame).toBeNull();
    expect((await sub.next()).data!.gameChanged).toMatchObject({ kind: "UPDATED", version: 5 });
    expect((await sub.next()).data!.gameChanged).toMatchObject({ kind: "DELETED", version: 6, game: null });
  });

  it("with hostLeaves close (the default), the creator leaving deletes the game", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "octo" } }, alice))).createGame;
    await ok(api.joinGame({ id: g.id }, bob));
    const sub = await watchGame(g.id);
    expect((await ok(mm.leave({ id: g.id }, alice))).leaveGame).toBeNull();
    expect((await sub.next()).data!.gameChanged).toMatchObject({ kind: "DELETED", version: 3, game: null });
    expect((await ok(api.game({ id: g.id }))).game).toBeNull();
  });
});
