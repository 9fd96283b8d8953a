import { beforeEach, describe, expect, it } from "vitest";
import { codeOf, type TestApp, tokenFor } from "../support/app.js";
import { type ApiClient, ok } from "../support/api-client.js";
import { formParty, type MatchClient } from "../support/match-client.js";
import { useMatchApp } from "./match-app.js";
import { bothModes } from "./modes.js";

describe.each(bothModes())("private games and join codes ($name)", (mode) => {
  const h = useMatchApp(mode);
  let t: TestApp, api: ApiClient, mm: MatchClient;
  let alice: string, bob: string, carol: string;
  beforeEach(() => ({ t, api, mm, alice, bob, carol } = h));

  const createPrivate = async (token = alice) =>
    (await ok(api.createGame({ input: { gameType: "quad", visibility: "PRIVATE" } }, token))).createGame;
  const watchType = (type: string) => h.watch({ gameType: type }, t.app.backends.bus.topics.gameType(type));

  it("issue a short unambiguous code shown to the creator only, and join by it with a party", async () => {
    const g = await createPrivate();
    expect(g.joinCode).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/);
    expect((await ok(api.game({ id: g.id }, bob))).game!.joinCode).toBeNull();
    // Case and blanks do not matter to a person typing it.
    const partyId = await formParty(t.url, "quad", "bob", ["dave"]);
    const joined = (await ok(mm.joinGameByCode({ code: ` ${g.joinCode!.toLowerCase()} `, partyId }, bob))).joinGameByCode;
    expect(joined.players.map((p) => [p.id, p.name])).toEqual([["alice", "Alice"], ["bob", "Bob"], ["dave", "Dave"]]);
    expect(joined.joinCode).toBeNull();
    const byId = (await ok(mm.joinWithParty({ id: g.id, joinCode: g.joinCode }, carol))).joinGame;
    expect(byId.freeSeats).toBe(0);
  });

  it("answer FORBIDDEN for a wrong code without revealing whether the game exists", async () => {
    const g = await createPrivate();
    const gone = await createPrivate();
    await ok(api.deleteGame({ id: gone.id }, alice));
    const attempts = [
      mm.joinGameByCode({ code: "ZZZZZZ" }, bob),
      mm.joinGameByCode({ code: "not a code at all" }, bob),
      mm.joinGameByCode({ code: gone.joinCode! }, bob),
      api.joinGame({ id: g.id, joinCode: "ZZZZZZ" }, bob),
      api.joinGame({ id: g.id }, bob),
      api.joinGame({ id: gone.id, joinCode: gone.joinCode }, bob),
      api.joinGame({ id: "quad_doesnotexist00", joinCode: "ZZZZZZ" }, bob),
      api.joinGame({ id: "chess_doesnotexist0", joinCode: "ZZZZZZ" }, bob),
    ];
    const results = await Promise.all(attempts);
    expect(results.map(codeOf)).toEqual(Array(attempts.length).fill("FORBIDDEN"));
    expect(new Set(results.map((r) => r.errors![0]!.message)).size).toBe(1);
  });

  it("never appear in games, quickJoin or gameChanged(gameType)", async () => {
    const lobby = await watchType("quad");
    const g = await createPrivate();
    await ok(api.joinGame({ id: g.id, joinCode: g.joinCode }, bob));
    const listed = await ok(api.games({ filter: { gameType: "quad" } }));
    expect(listed.games.totalCount).toBe(0);
    const quick = (await ok(mm.quickJoin({ input: { gameType: "quad" } }, carol))).quickJoin;
    expect(quick.id).not.toBe(g.id);
    // The lobby hears of carol's public game, and of nothing before it.
    expect((await lobby.next()).data!.gameChanged).toMatchObject({ kind: "CREATED", gameId: quick.id });
  });

  it("leave the lobby's view when a public game turns private: DELETED without the game", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "quad" } }, alice))).createGame;
    const lobby = await watchType("quad");
    await ok(api.updateGame({ id: g.id, input: { visibility: "PRIVATE" } }, alice));
    const notice = (await lobby.next()).data!.gameChanged;
    expect(notice).toEqual({ kind: "DELETED", gameId: g.id, version: 2, game: null });
    await ok(api.updateGame({ id: g.id, input: { labels: { mode: "secret" } } }, alice));
    await ok(api.updateGame({ id: g.id, input: { visibility: "PUBLIC" } }, alice));
    // Back in view: the change that made it public, and nothing from its private spell.
    expect((await lobby.next()).data!.gameChanged).toMatchObject({ kind: "UPDATED", gameId: g.id, version: 4, game: { visibility: "PUBLIC" } });
  });

  it("get a new code on every switch to private; the old one stops working", async () => {
    const g = await createPrivate();
    const renewed = (await ok(api.updateGame({ id: g.id, input: { visibility: "PRIVATE" } }, alice))).updateGame;
    expect(renewed.joinCode).not.toBe(g.joinCode);
    expect(codeOf(await mm.joinGameByCode({ code: g.joinCode! }, bob))).toBe("FORBIDDEN");
    await ok(mm.joinGameByCode({ code: renewed.joinCode! }, bob));
  });

  it("are unique among live games", async () => {
    const games = await Promise.all(Array.from({ length: 40 }, (_, i) => tokenFor(`host${i}`).then((tok) => createPrivate(tok))));
    expect(new Set(games.map((g) => g.joinCode)).size).toBe(40);
  });
});
