import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type * as G from "../generated/graphql.js";
import { codeOf, gql, type TestApp, tokenFor } from "../support/app.js";
import { apiClient, ok } from "../support/api-client.js";
import * as Op from "./operations-search.js";
import { bothModes } from "./modes.js";

describe.each(bothModes())("lobby search over HTTP ($name)", (mode) => {
  let t: TestApp;
  let token: string;

  beforeEach(async () => {
    t = await mode.start();
    token = await tokenFor("alice");
  });
  afterEach(() => t.close());
  afterAll(() => mode.teardown());

  const search = (v: G.SearchGamesQueryVariables) => gql<G.SearchGamesQuery>(t.url, Op.SEARCH_GAMES, v);

  /** Every page of a search, following pageInfo.endCursor. */
  async function searchAll(v: G.SearchGamesQueryVariables): Promise<{ ids: string[]; pages: G.SearchGamesQuery["games"][] }> {
    const ids: string[] = [];
    const pages: G.SearchGamesQuery["games"][] = [];
    let after: string | null = null;
    for (let i = 0; i < 100; i++) {
      const page: G.SearchGamesQuery["games"] = (await ok(search({ ...v, after }))).games;
      pages.push(page);
      ids.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) return { ids, pages };
      after = page.pageInfo.endCursor;
    }
    throw new Error("paging did not end");
  }

  /** Creates party-quiz games in order, one per skill (null: no skill label), all in "eu" unless told. */
  async function lobby(skills: (number | null)[], region = "eu"): Promise<string[]> {
    const api = apiClient(t.url);
    const out: string[] = [];
    for (const skill of skills) {
      const labels = skill === null ? { mode: "casual" } : { mode: "ranked", skill };
      out.push((await ok(api.createGame({ input: { gameType: "party-quiz", region, labels } }, token))).createGame.id);
    }
    return out;
  }

  const quiz = { gameType: "party-quiz" };

  it("lists games nearest a target skill first, paging through every one once", async () => {
    const g = await lobby([1500, 1000, 1190, null, 1210, 1200, 800, 1600]);
    await lobby([1200], "us");
    const { ids, pages } = await searchAll({
      filter: { ...quiz, regions: ["eu"] },
      sort: { field: "NEAREST", label: "skill", target: 1200 },
      first: 3,
    });
    // 1200 (0), 1190 and 1210 (10: the lower value first), 1000 (200), 1500 (300), 800 and 1600 (400).
    expect(ids).toEqual([g[5], g[2], g[4], g[1], g[0], g[6], g[7]]);
    expect(pages.map((p) => p.totalCount)).toEqual([7, 7, 7]);
    expect(pages.every((p) => !p.totalCountCapped)).toBe(true);
  });

  it("sorts by a declared numeric label both ways and filters it with between", async () => {
    const g = await lobby([1500, 1000, null, 1200, 1400]);
    const bySkill = async (direction: "ASC" | "DESC", filter: G.GameFilter = quiz) =>
      (await searchAll({ filter, sort: { field: "LABEL", label: "skill", direction }, first: 2 })).ids;
    expect(await bySkill("ASC")).toEqual([g[1], g[3], g[4], g[0]]);
    expect(await bySkill("DESC")).toEqual([g[0], g[4], g[3], g[1]]);
    const between = { ...quiz, labels: [{ key: "skill", between: [1200, 1400] }] };
    expect(await bySkill("ASC", between)).toEqual([g[3], g[4]]);
    const page = (await ok(search({ filter: between, first: 1 }))).games;
    expect([page.totalCount, page.totalCountCapped, page.pageInfo.hasNextPage]).toEqual([2, false, true]);
  });

  it("refuses sorts and ranges the game type cannot serve, with a message that says why", async () => {
    const cases: G.SearchGamesQueryVariables[] = [
      { filter: quiz, sort: { field: "LABEL", label: "colour" } },
      { filter: quiz, sort: { field: "LABEL", label: "mode" } },
      { filter: quiz, sort: { field: "NEAREST", label: "skill" } },
      { filter: quiz, sort: { field: "NEAREST", label: "skill", target: 1, direction: "DESC" } },
      { sort: { field: "LABEL", label: "skill" } },
      { filter: { ...quiz, labels: [{ key: "skill", between: [3, 1] }] } },
      { filter: { ...quiz, labels: [{ key: "mode", between: [1, 3] }] } },
    ];
    for (const v of cases) {
      const r = await search(v);
      expect(codeOf(r), JSON.stringify(v)).toBe("BAD_USER_INPUT");
      expect(r.errors![0]!.message).toMatch(/label|between|target|DESC/);
    }
  });
});
