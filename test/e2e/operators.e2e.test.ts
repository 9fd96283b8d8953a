import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gqlOk, startTestApp, type TestApp, TEST_JWT_SECRET, tokenFor, waitFor, wsClient, subscribe } from "../support/app.js";
import { bothModes, watcherReady } from "./modes.js";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const cli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env }, encoding: "utf8" });

describe.each(bothModes())("what operators see ($name)", (mode) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await mode.start();
  });
  afterAll(async () => {
    await t.close();
    await mode.teardown();
  });
  const metrics = async () => (await fetch(t.url.replace("/graphql", "/metrics"))).text();

  it("gauges games per type and state, and WebSocket connections and subscriptions", async () => {
    const alice = await tokenFor("alice");
    await gqlOk(t.url, 'mutation { createGame(input: { gameType: "party-quiz" }) { id } }', undefined, alice);
    await gqlOk(t.url, 'mutation { createGame(input: { gameType: "party-quiz" }) { id } }', undefined, alice);
    const client = wsClient(t.wsUrl);
    try {
      const topic = t.app.backends.bus.topics.gameType("party-quiz");
      const before = t.app.backends.bus.localSubscribers(topic);
      subscribe(client, 'subscription { gameChanged(gameType: "party-quiz") { gameId } }', {});
      await watcherReady(t, topic, before, mode.redisUrl());
      const text = await metrics();
      expect(text).toMatch(/matchmaker_games\{game_type="party-quiz",state="OPEN"\} 2/);
      expect(text).toMatch(/matchmaker_games\{game_type="party-quiz",state="ENDED"\} 0/);
      expect(text).toMatch(/matchmaker_ws_connections 1/);
      expect(text).toMatch(/matchmaker_ws_subscriptions 1/);
      expect(text).toMatch(/matchmaker_graphql_operations_total\{transport="ws",operation="anonymous",type="subscription",outcome="ok",code="none"\} 1/);
    } finally {
      await client.dispose();
    }
  });

  it("counts a subscription its resolver refuses as a user error with its code, not as ok", async () => {
    const client = wsClient(t.wsUrl, await tokenFor("carol"));
    try {
      const sub = subscribe(client, 'subscription Refused { partyChanged(id: "no-such-party") { kind } }', {});
      const first = await sub.next();
      const code = first.errors?.[0]?.extensions?.code;
      expect(code).toMatch(/PARTY_NOT_FOUND|FORBIDDEN|BAD_USER_INPUT/);
      await waitFor(async () => /matchmaker_ws_subscriptions 0/.test(await metrics()), "the refused subscription to end");
      const text = await metrics();
      expect(text).toContain(`matchmaker_graphql_operations_total{transport="ws",operation="anonymous",type="subscription",outcome="user_error",code="${code}"} 1`);
      expect(text).not.toMatch(/transport="ws",operation="anonymous",type="subscription",outcome="internal"/);
    } finally {
      await client.dispose();
    }
  });
});

describe("the CLI", () => {
  it("prints its version", () => {
    const r = cli(["--version"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^matchmaker \d+\.\d+\.\d+\n$/);
  });

  it("puts --rating attribute=value into the token's ratings claim, and refuses another form, a rating out of bounds and too many", () => {
    const rated = cli(["token", "--sub", "alice", "--rating", "mmr=1540", "--rating", "duel-elo=-12.5"]);
    expect(rated.status).toBe(0);
    const claims = JSON.parse(Buffer.from(rated.stdout.trim().split(".")[1]!, "base64url").toString()) as { ratings?: unknown };
    expect(claims.ratings).toEqual({ mmr: 1540, "duel-elo": -12.5 });
    const bad = cli(["token", "--sub", "alice", "--rating", "mmr:1540"]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("--rating takes <attribute>=<number");
    const huge = cli(["token", "--sub", "alice", "--rating", "mmr=10000000000"]);
    expect([huge.status !== 0, huge.stderr.includes("within ±1000000000")]).toEqual([true, true]);
    const many = cli(["token", "--sub", "alice", ...Array.from({ length: 33 }, (_, i) => ["--rating", `r${i}=1`]).flat()]);
    expect([many.status !== 0, many.stderr.includes("at most 32 --rating values")]).toEqual([true, true]);
  });

  it("says which secret signed a token, on stderr, so the token alone can be captured", async () => {
    const dev = cli(["token", "--sub", "alice", "--name", "Alice"]);
    expect(dev.stdout.trim().split(".")).toHaveLength(3);
    expect(dev.stderr).toMatch(/development secret \(JWT_SECRET is not set\)/);
    const real = cli(["token", "--sub", "alice"], { JWT_SECRET: TEST_JWT_SECRET });
    expect(real.stderr).toMatch(/Signed with JWT_SECRET/);
    // A server with that secret takes it.
    const t = await startTestApp();
    try {
      const me = await gqlOk<{ createGame: { creator: { id: string } } }>(t.url, 'mutation { createGame(input: { gameType: "party-quiz" }) { creator { id } } }', undefined, real.stdout.trim());
      expect(me.createGame.creator.id).toBe("alice");
    } finally {
      await t.close();
    }
  });
});
