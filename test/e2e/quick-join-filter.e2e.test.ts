import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { codeOf, type TestApp, tokenFor } from "../support/app.js";
import { ok } from "../support/api-client.js";
import { matchCatalog, matchClient, type MatchClient } from "../support/match-client.js";
import { bothModes } from "./modes.js";

describe.each(bothModes())("the game quickJoin creates satisfies the quickJoin's filter ($name)", (mode) => {
  let t: TestApp, mm: MatchClient;
  beforeEach(async () => {
    t = await mode.start({ catalog: matchCatalog() });
    mm = matchClient(t.url);
  });
  afterEach(() => t.close());
  afterAll(() => mode.teardown());

  const band = { labels: [{ key: "skill", between: [1000, 1400] }] };

  it("refuses states that leave out OPEN, where the lobby games it creates start", async () => {
    const r = await mm.quickJoin({ input: { gameType: "quad", filter: { states: ["CREATED"] } } }, await tokenFor("alice"));
    expect(codeOf(r)).toBe("BAD_USER_INPUT");
    expect(r.errors![0]!.message).toMatch(/OPEN/);
    const fine = await mm.quickJoin({ input: { gameType: "quad", filter: { states: ["OPEN"] } } }, await tokenFor("alice"));
    expect(fine.data?.quickJoin).toMatchObject({ state: "OPEN" });
  });

  it("gives a game it creates a label inside the filter's range, so the next caller with that filter joins it", async () => {
    const first = (await ok(mm.quickJoin({ input: { gameType: "quad", filter: band } }, await tokenFor("alice")))).quickJoin;
    expect(first.labels).toEqual({ skill: 1200 });
    const second = (await ok(mm.quickJoin({ input: { gameType: "quad", filter: band } }, await tokenFor("bob")))).quickJoin;
    expect(second.id).toBe(first.id);
    const own = (await ok(mm.quickJoin({ input: { gameType: "quad", filter: { labels: [{ key: "skill", gt: 2000 }] }, labels: { skill: 2500 } } }, await tokenFor("carol")))).quickJoin;
    expect(own.labels).toEqual({ skill: 2500 });
  });
});
