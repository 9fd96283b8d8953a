import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { codeOf, type TestApp, tokenFor } from "../support/app.js";
import { apiClient, type ApiClient, ok } from "../support/api-client.js";
import { bothModes } from "./modes.js";

describe.each(bothModes())("games over HTTP ($name)", (mode) => {
  let t: TestApp;
  let api: ApiClient;
  let alice: string, bob: string, carol: string, admin: string;

  beforeEach(async () => {
    t = await mode.start();
    api = apiClient(t.url);
    [alice, bob, carol, admin] = await Promise.all([
      tokenFor("alice"),
      tokenFor("bob"),
      tokenFor("carol"),
      tokenFor("root", { admin: true }),
    ]);
  });
  afterEach(() => t.close());
  afterAll(() => mode.teardown());

  const createQuiz = (token: string, input: Record<string, unknown> = {}) =>
    ok(api.createGame({ input: { gameType: "party-quiz", ...input } }, token)).then((d) => d.createGame);

  it("lists the catalog's game types", async () => {
    const { gameTypes } = await ok(api.gameTypes());
    expect(gameTypes.map((g) => g.id)).toEqual(["tictactoe", "party-quiz"]);
    const quiz = gameTypes.find((g) => g.id === "party-quiz")!;
    expect(quiz).toMatchObject({ minPlayers: 2, maxPlayers: 8, hasGameServer: false, regions: ["eu", "us", "asia"] });
    expect(quiz.labels).toEqual([
      { key: "mode", kind: "string" },
      { key: "skill", kind: "number" },
    ]);
    expect((await ok(api.gameType({ id: "tictactoe" }))).gameType).toMatchObject({ maxPlayers: 2 });
    expect((await ok(api.gameType({ id: "chess" }))).gameType).toBeNull();
  });

  it("creates a game with the creator seated and settings defaults applied", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "party-quiz" } }, alice))).createGame;
    expect(g).toMatchObject({
      // Nothing is left to confirm without a game server: the lobby game is open at once.
      state: "OPEN",
      hostConnected: true,
      version: 1,
      creator: { id: "alice", name: "Alice" },
      capacity: 8,
      freeSeats: 7,
      visibility: "PUBLIC",
      settings: { rounds: 5, category: "general" },
      // A lobby-only type has no game server to reach (hosted types: game-server.e2e.test.ts).
      server: null,
    });
    expect(g.players.map((p) => p.id)).toEqual(["alice"]);
    expect((await ok(api.game({ id: g.id }))).game).toMatchObject({ id: g.id, version: 1 });
  });

  it("refuses mutations without a token, and refuses a bad token outright", async () => {
    const anon = await api.createGame({ input: { gameType: "party-quiz" } });
    expect(codeOf(anon)).toBe("UNAUTHENTICATED");
    const forged = await api.createGame({ input: { gameType: "party-quiz" } }, "not.a.jwt");
    expect(forged.status).toBe(401);
    expect(codeOf(forged)).toBe("UNAUTHENTICATED");
  });

  it("refuses bad input with a typed error and writes nothing", async () => {
    const before = (await ok(api.games({ filter: { gameType: "party-quiz" } }))).games.totalCount;
    const cases: [Record<string, unknown>, string][] = [
      [{ gameType: "chess" }, "UNKNOWN_GAME_TYPE"],
      [{ gameType: "party-quiz", settings: { rounds: 99 } }, "BAD_USER_INPUT"],
      [{ gameType: "party-quiz", settings: { colour: "red" } }, "BAD_USER_INPUT"],
      [{ gameType: "party-quiz", capacity: 9 }, "BAD_USER_INPUT"],
      [{ gameType: "party-quiz", region: "mars" }, "BAD_USER_INPUT"],
      [{ gameType: "party-quiz", labels: { skill: "high" } }, "BAD_USER_INPUT"],
    ];
    for (const [input, code] of cases) {
      const r = await api.createGame({ input: input as never }, alice);
      expect(codeOf(r), JSON.stringify(input)).toBe(code);
      expect(r.errors![0]!.message.length).toBeGreaterThan(10);
    }
    expect((await ok(api.games({ filter: { gameType: "party-quiz" } }))).games.totalCount).toBe(before);
  });

  it("joins and leaves, with every refusal typed", async () => {
    const g = await createQuiz(alice, { capacity: 2 });
    const joined = (await ok(api.joinGame({ id: g.id }, bob))).joinGame;
    expect(joined).toMatchObject({ version: 2, freeSeats: 0 });
    expect(joined.players.map((p) => p.id)).toEqual(["alice", "bob"]);
    expect(codeOf(await api.joinGame({ id: g.id }, bob))).toBe("ALREADY_JOINED");
    expect(codeOf(await api.joinGame({ id: g.id }, carol))).toBe("GAME_FULL");
    expect(codeOf(await api.joinGame({ id: "party-quiz_0000000000000000" }, carol))).toBe("GAME_NOT_FOUND");
    expect(codeOf(await api.joinGame({ id: "no such id!" }, carol))).toBe("BAD_USER_INPUT");
    expect(codeOf(await api.leaveGame({ id: g.id }, carol))).toBe("NOT_A_PLAYER");

    const left = (await ok(api.leaveGame({ id: g.id }, bob))).leaveGame;
    expect(left).toMatchObject({ version: 3, freeSeats: 1 });
    // The creator leaving removes the game.
    expect((await ok(api.leaveGame({ id: g.id }, alice))).leaveGame).toBeNull();
    expect((await ok(api.game({ id: g.id }))).game).toBeNull();
  });

  it("lets only the creator or an admin update and delete", async () => {
    const g = await createQuiz(alice);
    expect(codeOf(await api.updateGame({ id: g.id, input: { labels: { mode: "ranked" } } }, bob))).toBe("FORBIDDEN");
    const u = (await ok(api.updateGame({ id: g.id, input: { labels: { mode: "ranked", skill: 1200 } } }, alice))).updateGame;
    expect(u).toMatchObject({ version: 2, labels: { mode: "ranked", skill: 1200 } });
    const s = (await ok(api.updateGame({ id: g.id, input: { settings: { rounds: 3 } } }, admin))).updateGame;
    expect(s).toMatchObject({ version: 3, settings: { rounds: 3, category: "general" } });
    expect(codeOf(await api.updateGame({ id: g.id, input: { settings: { rounds: 3 }, expectedVersion: 2 } }, alice))).toBe(
      "VERSION_CONFLICT",
    );

    expect(codeOf(await api.deleteGame({ id: g.id }, bob))).toBe("FORBIDDEN");
    expect((await ok(api.game({ id: g.id }))).game!.version).toBe(3);
    expect((await ok(api.deleteGame({ id: g.id }, alice))).deleteGame).toBe(true);
    expect((await ok(api.game({ id: g.id }))).game).toBeNull();
    expect(codeOf(await api.deleteGame({ id: g.id }, alice))).toBe("GAME_NOT_FOUND");
  });

  it("keeps private games out of lists and joinable only with the code the creator sees", async () => {
    const g = await createQuiz(alice, { visibility: "PRIVATE" });
    expect(g.joinCode).toMatch(/^[2-9A-HJ-NP-Z]{6}$/);
    expect((await ok(api.game({ id: g.id }, bob))).game!.joinCode).toBeNull();
    const listed = (await ok(api.games({ filter: { gameType: "party-quiz" } }, bob))).games;
    expect(listed.edges.map((e) => e.node.id)).not.toContain(g.id);
    expect(codeOf(await api.games({ filter: { visibility: "PRIVATE" } }, bob))).toBe("FORBIDDEN");
    expect(codeOf(await api.joinGame({ id: g.id }, bob))).toBe("FORBIDDEN");
    expect(codeOf(await api.joinGame({ id: g.id, joinCode: "AAAAAA" }, bob))).toBe("FORBIDDEN");
    const joined = (await ok(api.joinGame({ id: g.id, joinCode: g.joinCode }, bob))).joinGame;
    expect(joined.players.map((p) => p.id)).toEqual(["alice", "bob"]);
  });

  it("filters, sorts and pages the lobby", async () => {
    const eu = await createQuiz(alice, { region: "eu", labels: { mode: "ranked", skill: 1000 }, capacity: 4 });
    const us = await createQuiz(bob, { region: "us", labels: { mode: "casual", skill: 1500 }, capacity: 8 });
    const eu2 = await createQuiz(carol, { region: "eu", labels: { mode: "ranked", skill: 1300 }, capacity: 2 });
    await ok(api.joinGame({ id: eu2.id }, alice)); // eu2 now has no free seat
    const ids = async (v: Parameters<ApiClient["games"]>[0]) =>
      (await ok(api.games(v))).games.edges.map((e) => e.node.id);

    expect(await ids({ filter: { gameType: "party-quiz", regions: ["eu"] } })).toEqual([eu.id, eu2.id]);
    expect(await ids({ filter: { gameType: "party-quiz", minFreeSeats: 1 } })).toEqual([eu.id, us.id]);
    expect(
      await ids({ filter: { gameType: "party-quiz", labels: [{ key: "skill", gte: 1100, lt: 1600 }] } }),
    ).toEqual([us.id, eu2.id]);
    expect(await ids({ filter: { gameType: "party-quiz", labels: [{ key: "mode", ne: "ranked" }] } })).toEqual([us.id]);
    expect(await ids({ filter: { gameType: "party-quiz" }, sort: { field: "FREE_SEATS", direction: "DESC" } })).toEqual([
      us.id,
      eu.id,
      eu2.id,
    ]);
    expect(codeOf(await api.games({ filter: { gameType: "party-quiz", labels: [{ key: "colour", eq: "red" }] } }))).toBe(
      "BAD_USER_INPUT",
    );

    const seen: string[] = [];
    let after: string | null | undefined = null;
    for (;;) {
      const page: Awaited<ReturnType<typeof api.games>> = await api.games({ filter: { gameType: "party-quiz" }, first: 2, after });
      const c = page.data!.games;
      expect(c.totalCount).toBe(3);
      seen.push(...c.edges.map((e) => e.node.id));
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    expect(seen).toEqual([eu.id, us.id, eu2.id]);
    expect(codeOf(await api.games({ after: "garbage" }))).toBe("BAD_USER_INPUT");
  });
});
