import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { codeOf, type TestApp, tokenFor } from "../support/app.js";
import { ok } from "../support/api-client.js";
import { matchCatalog, matchClient, type MatchClient } from "../support/match-client.js";
import { bothModes } from "./modes.js";

describe.each(bothModes())("a quickJoin filter the created game must satisfy ($name)", (mode) => {
  let t: TestApp, mm: MatchClient;
  beforeEach(async () => {
    t = await mode.start({ catalog: matchCatalog() });
    mm = matchClient(t.url);
  });
  afterEach(() => t.close());
  afterAll(() => mode.teardown());

  const band = { labels: [{ key: "skill", between: [1000, 1400] }] };

  it("is refused when the game it would create could not match it, so racers never each create one", async () => {
    const r = await mm.quickJoin({ input: { gameType: "quad", filter: band } }, await tokenFor("alice"));
    expect(codeOf(r)).toBe("BAD_USER_INPUT");
    expect(r.errors![0]!.message).toMatch(/skill/);
    const states = await mm.quickJoin({ input: { gameType: "quad", filter: { states: ["OPEN"] } } }, await tokenFor("alice"));
    expect(codeOf(states)).toBe("BAD_USER_INPUT");
  });

  it("fills the game it created when the creator gave labels that satisfy the filter", async () => {
    const first = (await ok(mm.quickJoin({ input: { gameType: "quad", filter: band, labels: { skill: 1200 } } }, await tokenFor("alice")))).quickJoin;
    const second = (await ok(mm.quickJoin({ input: { gameType: "quad", filter: band, labels: { skill: 1300 } } }, await tokenFor("bob")))).quickJoin;
    expect(second.id).toBe(first.id);
  });
});
