import { beforeEach, describe, expect, it } from "vitest";
import type { PartyChangedSubscription } from "../generated/graphql.js";
import { codeOf, gql, subscribe, type TestApp, tokenFor, waitFor, wsClient } from "../support/app.js";
import { type ApiClient, ok } from "../support/api-client.js";
import { formParty, type MatchClient } from "../support/match-client.js";
import { useMatchApp } from "./match-app.js";
import { bothModes, watcherReady } from "./modes.js";
import { PARTY_CHANGED } from "./operations-matchmaking.js";

/** Parties by consent, over HTTP and graphql-ws, on both backends. */
describe.each(bothModes())("parties ($name)", (mode) => {
  const h = useMatchApp(mode);
  let t: TestApp, api: ApiClient, mm: MatchClient, alice: string, bob: string, carol: string;
  beforeEach(() => ({ t, api, mm, alice, bob, carol } = h));

  /** partyChanged for `token`, live once the watcher is subscribed. */
  const watchParty = async (id: string, token: string) => {
    const client = wsClient(t.wsUrl, token);
    const topic = t.app.backends.bus.topics.party(id);
    const before = t.app.backends.bus.localSubscribers(topic);
    const sub = subscribe<PartyChangedSubscription>(client, PARTY_CHANGED, { id });
    await watcherReady(t, topic, before, mode.redisUrl());
    return { sub, client };
  };

  it("is made by a leader and joined by each member themselves; members see it, nobody else does", async () => {
    const made = (await ok(mm.createParty({ gameType: "quad" }, alice))).createParty;
    expect(made).toMatchObject({ gameType: { id: "quad" }, leader: { playerId: "alice", name: "Alice" }, maxSize: 4, version: 1, game: null });
    expect(made.id).toMatch(/^party_quad_[0-9a-z]{16}$/);
    const joined = (await ok(mm.joinParty({ id: made.id }, bob))).joinParty;
    expect(joined.members.map((m) => [m.playerId, m.name])).toEqual([["alice", "Alice"], ["bob", "Bob"]]);
    expect(joined.version).toBe(2);
    expect(codeOf(await mm.joinParty({ id: made.id }, bob))).toBe("ALREADY_JOINED");
    // Only members (and admins) see the party; to anyone else it does not exist.
    expect((await ok(mm.party({ id: made.id }, bob))).party?.id).toBe(made.id);
    expect((await ok(mm.party({ id: made.id }, carol))).party).toBeNull();
    expect((await ok(mm.party({ id: made.id }, await tokenFor("root", { admin: true })))).party?.id).toBe(made.id);
    expect(codeOf(await mm.joinParty({ id: "party_quad_0000000000000000" }, carol))).toBe("PARTY_NOT_FOUND");
    expect(codeOf(await mm.createParty({ gameType: "quad", maxSize: 5 }, carol))).toBe("BAD_USER_INPUT");
    expect(codeOf(await mm.createParty({ gameType: "chess" }, carol))).toBe("UNKNOWN_GAME_TYPE");
    expect(codeOf(await mm.createParty({ gameType: "quad" }, ""))).toBe("UNAUTHENTICATED");
  });

  it("holds at most maxSize; the leader may remove a member, a leaving leader hands over, the last one out ends it", async () => {
    const id = (await ok(mm.createParty({ gameType: "quad", maxSize: 2 }, alice))).createParty.id;
    await ok(mm.joinParty({ id }, bob));
    expect(codeOf(await mm.joinParty({ id }, carol))).toBe("PARTY_FULL");
    // Only the leader removes someone else.
    expect(codeOf(await mm.leaveParty({ id, playerId: "alice" }, bob))).toBe("FORBIDDEN");
    const removed = (await ok(mm.leaveParty({ id, playerId: "bob" }, alice))).leaveParty!;
    expect(removed.members.map((m) => m.playerId)).toEqual(["alice"]);
    await ok(mm.joinParty({ id }, carol));
    const handedOver = (await ok(mm.leaveParty({ id }, alice))).leaveParty!;
    expect(handedOver.leader.playerId).toBe("carol");
    // A non-member learns nothing about the party, not even that it exists.
    expect(codeOf(await mm.leaveParty({ id }, alice))).toBe("PARTY_NOT_FOUND");
    expect((await ok(mm.leaveParty({ id }, carol))).leaveParty).toBeNull();
    expect(codeOf(await mm.joinParty({ id }, bob))).toBe("PARTY_NOT_FOUND");
  });

  it("is seated by its leader exactly as it is, each member gets their seat and the party knows where", async () => {
    const id = await formParty(t.url, "quad", "alice", ["bob"]);
    expect(codeOf(await mm.quickJoin({ input: { gameType: "quad", partyId: id } }, bob))).toBe("FORBIDDEN");
    const g = (await ok(mm.quickJoin({ input: { gameType: "quad", partyId: id } }, alice))).quickJoin;
    expect(g.players.map((p) => [p.id, p.name])).toEqual([["alice", "Alice"], ["bob", "Bob"]]);
    const seenByBob = (await ok(mm.party({ id }, bob))).party!;
    expect(seenByBob.game).toMatchObject({ id: g.id, players: [{ id: "alice" }, { id: "bob" }] });
    // carol joins later: the party can be seated again, with her this time, all or none.
    await ok(mm.joinParty({ id }, carol));
    const other = (await ok(api.createGame({ input: { gameType: "quad", capacity: 3 } }, await tokenFor("dave")))).createGame;
    expect(codeOf(await mm.joinWithParty({ id: other.id, partyId: id }, alice))).toBe("GAME_FULL");
    expect((await ok(api.game({ id: other.id }))).game!.players.map((p) => p.id)).toEqual(["dave"]);
  });

  it("tells its members every change over partyChanged, and a member who leaves gets that change last", async () => {
    const id = (await ok(mm.createParty({ gameType: "quad" }, alice))).createParty.id;
    await ok(mm.joinParty({ id }, bob));
    // Not a member: refused.
    const strangerClient = wsClient(t.wsUrl, carol);
    const stranger = subscribe<PartyChangedSubscription>(strangerClient, PARTY_CHANGED, { id });
    expect(codeOf(await stranger.next())).toBe("PARTY_NOT_FOUND");
    await strangerClient.dispose();
    const a = await watchParty(id, alice);
    const b = await watchParty(id, bob);
    try {
      await ok(mm.joinParty({ id }, carol));
      for (const w of [a, b]) {
        const m = (await w.sub.next()).data!.partyChanged;
        expect([m.kind, m.version, m.party!.members.map((x) => x.playerId)]).toEqual(["UPDATED", 3, ["alice", "bob", "carol"]]);
      }
      await ok(mm.leaveParty({ id }, bob));
      // To bob, out of it now, the party is gone: he learns nothing more of it.
      const last = (await b.sub.next()).data!.partyChanged;
      expect([last.kind, last.party]).toEqual(["DELETED", null]);
      expect(await b.sub.done).toBeUndefined(); // completed: bob hears no more
      const g = (await ok(mm.quickJoin({ input: { gameType: "quad", partyId: id } }, alice))).quickJoin;
      expect((await a.sub.next()).data!.partyChanged).toMatchObject({ version: 4 });
      const seated = (await a.sub.next()).data!.partyChanged;
      expect(seated).toMatchObject({ kind: "UPDATED", version: 5, party: { game: { id: g.id } } });
    } finally {
      await Promise.all([a.client.dispose(), b.client.dispose()]);
    }
  });

  it("seats nobody who did not join: there is no way to name other players", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "octo" } }, alice))).createGame;
    // The old argument that took other players' ids is gone from the schema.
    const ghosts = await gql(t.url, "mutation($id: ID!) { joinGame(id: $id, party: [\"x1\", \"x2\"]) { id } }", { id: g.id }, bob);
    expect(codeOf(ghosts)).toBe("GRAPHQL_VALIDATION_FAILED");
    // A party of one's own holds only those who joined it; another's party cannot be used.
    const mine = (await ok(mm.createParty({ gameType: "octo" }, bob))).createParty.id;
    const theirs = await formParty(t.url, "octo", "carol", ["dave"]);
    expect(codeOf(await mm.joinWithParty({ id: g.id, partyId: theirs }, bob))).toBe("PARTY_NOT_FOUND");
    await ok(mm.joinWithParty({ id: g.id, partyId: mine }, bob));
    await waitFor(async () => (await ok(api.game({ id: g.id }))).game!.players.length === 2, "bob seated");
    expect((await ok(api.game({ id: g.id }))).game!.players.map((p) => p.id)).toEqual(["alice", "bob"]);
  });
});
