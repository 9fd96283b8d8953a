import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";

// Apollo's cache-control plugin is off (it ran a hook per resolved field for hints the schema never
// sets); its one visible effect, `cache-control: no-store` on every GraphQL response, is kept.
describe("GraphQL responses", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (body: unknown) =>
    fetch(t.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  it("say cache-control: no-store, for results and errors alike", async () => {
    const ok = await post({ query: "{ games(first: 1) { totalCount } }" });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("cache-control")).toBe("no-store");
    const parseError = await post({ query: "{ games(" });
    expect(parseError.headers.get("cache-control")).toBe("no-store");
    const refused = await post({ query: 'mutation { leaveGame(id: "x") { id } }' });
    expect(refused.headers.get("cache-control")).toBe("no-store");
    const get = await fetch(`${t.url}?query=${encodeURIComponent("{ games(first: 1) { totalCount } }")}`, { headers: { accept: "application/json" } });
    expect(get.headers.get("cache-control")).toBe("no-store");
  });
});
