import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { signToken } from "../../src/auth/jwt.js";
import { codeOf, gql, startTestApp, subscribe, TEST_JWT_SECRET, type TestApp, tokenFor, waitFor, wsClient } from "../support/app.js";
import { randomPrefix, type RedisServer, startRedisServer } from "../support/redis-server.js";

const METRICS_TOKEN = "abuse-suite-metrics-token-0123456789";
const FIELDS = "id gameType { id } state version creator { id name } players { id name } seats { player { id } joinedAt confirmed } capacity freeSeats visibility joinCode region settings labels result createdAt updatedAt expiresAt hostConnected server { socketUrl token }";

/** Runs `attack` while timing a cheap request made at the same moment: the API must stay responsive. */
async function underAttack<T>(t: TestApp, attack: () => Promise<T>): Promise<{ result: T; attackMs: number; probeMs: number }> {
  const started = Date.now();
  const attacking = attack().then((result) => ({ result, attackMs: Date.now() - started }));
  await new Promise((r) => setTimeout(r, 5));
  const probeStart = Date.now();
  const probe = await gql<{ gameTypes: unknown[] }>(t.url, "{ gameTypes { id } }");
  expect(probe.data?.gameTypes.length).toBeGreaterThan(0);
  const probeMs = Date.now() - probeStart;
  return { ...(await attacking), probeMs };
}

/**
 * Hostile traffic against the real HTTP and WebSocket server on a real Redis, as operators
 * run it (NODE_ENV=production): every attack is refused or bounded, fast, and a request made
 * at the same time is not held up.
 */
describe("abuse limits (HTTP and graphql-ws, production mode)", () => {
  let redis: RedisServer;
  let t: TestApp;
  let alice: string;
  beforeAll(async () => {
    redis = await startRedisServer();
    t = await startTestApp({
      redisUrl: redis.url,
      prefix: randomPrefix(),
      env: { NODE_ENV: "production", METRICS_TOKEN, WS_MAX_CONNECTIONS_PER_ADDRESS: "10", WS_MAX_SUBSCRIPTIONS: "5" },
      shippedLimits: true,
    });
    alice = await tokenFor("alice");
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });
  const metrics = async () => (await fetch(t.url.replace("/graphql", "/metrics"), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();

  it("refuses list inputs past their documented bounds at once: 40,000 regions, 9,000 label conditions, 1,000 states", async () => {
    const query = "query($f: GameFilter) { games(filter: $f) { totalCount } }";
    const attacks = [
      { regions: Array.from({ length: 40_000 }, () => "eu") },
      { gameType: "party-quiz", labels: Array.from({ length: 9_000 }, (_, i) => ({ key: "skill", gte: i })) },
      { states: Array.from({ length: 1_000 }, () => "OPEN") },
    ];
    for (const f of attacks) {
      const { result, attackMs, probeMs } = await underAttack(t, () => gql(t.url, query, { f }));
      expect(codeOf(result)).toBe("BAD_USER_INPUT");
      expect(result.errors![0]!.message).toMatch(/at most \d+/);
      expect(attackMs).toBeLessThan(1_500);
      expect(probeMs).toBeLessThan(500);
    }
  });

  it("refuses operations past the query limits before running them: aliases, depth, tokens, cost (variables counted)", async () => {
    const aliases = `{ ${Array.from({ length: 3_000 }, (_, i) => `a${i}: games(first: 100) { totalCount }`).join(" ")} }`;
    // The schema has no cycles (a valid path is at most 5 deep), so depth beyond the limit is nonsense: refused unrun.
    const deep = `{ ${"a { ".repeat(40)}b${" }".repeat(40)} }`;
    const tokens = `{ ${Array.from({ length: 2_500 }, (_, i) => `t${i}: __typename`).join(" ")} }`;
    // Repeated identical fields cost graphql-js a quadratic comparison; it gives up, and so do we, at once.
    const repeated = `{ ${Array.from({ length: 1_500 }, () => "__typename").join(" ")} }`;
    const costly = `query($n: Int) { ${Array.from({ length: 10 }, (_, i) => `g${i}: games(first: $n) { edges { node { ${FIELDS} } } }`).join(" ")} }`;
    for (const [what, q, vars] of [
      ["aliases", aliases, undefined],
      ["depth", deep, undefined],
      ["tokens", tokens, undefined],
      ["repeated fields", repeated, undefined],
      ["cost", costly, { n: 100 }],
    ] as const) {
      const { result, attackMs, probeMs } = await underAttack(t, () => gql(t.url, q, vars as Record<string, unknown> | undefined));
      expect(codeOf(result), what).toMatch(what === "depth" ? /BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/ : /^BAD_USER_INPUT$/);
      expect(result.data ?? null, what).toBeNull();
      expect(attackMs, what).toBeLessThan(1_000);
      expect(probeMs, what).toBeLessThan(500);
    }
    // A full page with every field is well within the budget.
    const page = await gql(t.url, `query($n: Int) { games(first: $n) { edges { node { ${FIELDS} } } } }`, { n: 100 });
    expect(page.errors).toBeUndefined();
  });

  it("answers a body past the limit with a JSON error, not a page", async () => {
    const r = await fetch(t.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ gameTypes { id } }", pad: "x".repeat(300_000) }) });
    expect(r.status).toBe(413);
    expect(((await r.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe("BAD_REQUEST");
  });

  it("runs the same limits over graphql-ws", async () => {
    const client = wsClient(t.wsUrl);
    try {
      const aliases = `{ ${Array.from({ length: 100 }, (_, i) => `a${i}: gameTypes { id }`).join(" ")} }`;
      const result = await new Promise<{ errors?: unknown[] }>((resolve) => {
        client.subscribe({ query: aliases }, { next: () => {}, error: (e) => resolve({ errors: e as unknown[] }), complete: () => resolve({}) });
      });
      expect(JSON.stringify(result.errors)).toMatch(/[Aa]lias/);
    } finally {
      await client.dispose();
    }
  });

  it("closes a socket that sends a frame larger than the HTTP body limit", async () => {
    const socket = new WebSocket(t.wsUrl, "graphql-transport-ws");
    await new Promise((r) => socket.once("open", r));
    socket.send(JSON.stringify({ type: "connection_init" }));
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: `{ gameTypes { id } } #${"x".repeat(300_000)}` } }));
    expect(await closed).toBe(1009);
  });

  it("refuses subscriptions past the per-connection cap and connections past the per-address cap", async () => {
    const client = wsClient(t.wsUrl);
    const subs = Array.from({ length: 6 }, () => subscribe(client, "subscription { gameChanged(gameType: \"party-quiz\") { gameId } }", {}));
    const refused = await Promise.race(subs.map((s, i) => s.done.then((e) => ({ i, e }))));
    expect(JSON.stringify(refused.e)).toContain("RATE_LIMITED");
    await client.dispose();

    const sockets: WebSocket[] = [];
    try {
      const outcomes: string[] = [];
      for (let i = 0; i < 12; i++) {
        const s = new WebSocket(t.wsUrl, "graphql-transport-ws");
        sockets.push(s);
        outcomes.push(await new Promise<string>((resolve) => {
          s.once("open", () => resolve("open"));
          s.once("unexpected-response", (_req, res) => resolve(String(res.statusCode)));
          s.once("error", () => resolve("error"));
        }));
      }
      expect(outcomes.filter((o) => o === "open")).toHaveLength(10);
      expect(outcomes.slice(10)).toEqual(["429", "429"]);
    } finally {
      for (const s of sockets) s.terminate();
    }
  });

  it("stops acting on a token once it expires: the socket closes with 4419, which clients retry with a fresh token", async () => {
    const short = await signToken({ sub: "eve", name: "Eve", expiresIn: "2s" }, { secret: TEST_JWT_SECRET, issuer: null });
    const socket = new WebSocket(t.wsUrl, "graphql-transport-ws");
    await new Promise((r) => socket.once("open", r));
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${short}` } }));
    const started = Date.now();
    expect(await closed).toBe(4419);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("keeps client-chosen operation names out of the metrics and counts errors as errors", async () => {
    for (let i = 0; i < 200; i++) await gql(t.url, `query Q${i}${"x".repeat(10_000)} { gameTypes { id } }`);
    await gql(t.url, "mutation CreateGame { createGame(input: { gameType: \"chess\" }) { id } }", undefined, alice);
    const text = await metrics();
    expect(text).not.toContain("xxxxxxxxxx");
    expect(text).toMatch(/operation="other"/);
    expect(text).toMatch(/matchmaker_graphql_operations_total\{transport="http",operation="CreateGame",type="mutation",outcome="user_error",code="UNKNOWN_GAME_TYPE"\} 1/);
    expect(text.length).toBeLessThan(200_000);
  });

  it("leaves no hints for a prober: no field suggestions, no X-Powered-By, no public /metrics", async () => {
    const typo = await fetch(t.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ gameTyps { id } }" }) });
    expect(typo.headers.get("x-powered-by")).toBeNull();
    expect(JSON.stringify(await typo.json())).not.toMatch(/Did you mean/);
    expect((await fetch(t.url.replace("/graphql", "/metrics"))).status).toBe(401);
  });

  it("refuses deep or huge settings and labels as BAD_USER_INPUT before any work, and stores nothing", async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 2_000; i++) deep = { a: deep };
    const huge = { blob: "x".repeat(20_000) };
    const manyLabels = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, "v"]));
    const create = "mutation($s: JSON, $l: JSON) { createGame(input: { gameType: \"party-quiz\", settings: $s, labels: $l }) { id } }";
    for (const vars of [{ s: deep }, { s: huge }, { l: manyLabels }, { l: { mode: deep } }]) {
      const started = Date.now();
      const r = await gql(t.url, create, vars, alice);
      expect(codeOf(r)).toBe("BAD_USER_INPUT");
      expect(r.errors![0]!.message.length).toBeLessThan(300);
      expect(Date.now() - started).toBeLessThan(500);
    }
    const mine = await gql<{ games: { totalCount: number } }>(t.url, "{ games(filter: { gameType: \"party-quiz\" }) { totalCount } }");
    expect(mine.data?.games.totalCount).toBe(0);
  });
});

describe("failing fast while Redis is down", () => {
  let redis: RedisServer;
  let t: TestApp;
  beforeAll(async () => {
    redis = await startRedisServer();
    t = await startTestApp({ redisUrl: redis.url, prefix: randomPrefix(), env: { NODE_ENV: "production" } });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  it("answers BACKEND_UNAVAILABLE and /readyz 503 within about a second, and recovers by itself", async () => {
    await redis.stop();
    const started = Date.now();
    const r = await gql(t.url, "{ games { totalCount } }");
    expect(codeOf(r)).toBe("BACKEND_UNAVAILABLE");
    expect(Date.now() - started).toBeLessThan(1_500);
    const readyAt = Date.now();
    expect((await fetch(t.url.replace("/graphql", "/readyz"))).status).toBe(503);
    expect(Date.now() - readyAt).toBeLessThan(1_500);
    await redis.restart();
    await waitFor(async () => (await fetch(t.url.replace("/graphql", "/readyz"))).status === 200, "recovery", 10_000);
    expect((await gql(t.url, "{ games { totalCount } }")).errors).toBeUndefined();
  }, 30_000);
});

/**
 * A reader that stops reading must not make the server buffer changes for it without end: past
 * WS_MAX_BUFFERED_BYTES unsent its socket is closed with 1013, and nothing more is queued for it.
 */
describe("a graphql-ws client that stops reading (production mode, embedded)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { NODE_ENV: "production", WS_MAX_BUFFERED_BYTES: "16384", WS_MAX_SUBSCRIPTIONS: "20" } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("is closed with 1013 once its unsent changes pass the bound, and is sent no more", async () => {
    const host = await tokenFor("host");
    const created = await gql<{ createGame: { id: string } }>(t.url, `mutation { createGame(input: { gameType: "party-quiz" }) { id } }`, {}, host);
    const id = created.data!.createGame.id;
    const topic = t.app.backends.bus.topics.gameType("party-quiz");
    const before = t.app.backends.bus.localSubscribers(topic);

    const socket = new WebSocket(t.wsUrl, "graphql-transport-ws");
    const frames: string[] = [];
    const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    socket.on("message", (data) => frames.push(data.toString()));
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(JSON.stringify({ type: "connection_init", payload: {} }));
    await waitFor(() => frames.some((f) => f.includes("connection_ack")), "connection_ack");
    const SUBS = 20;
    for (let i = 0; i < SUBS; i++) {
      socket.send(JSON.stringify({ id: String(i), type: "subscribe", payload: { query: `subscription { gameChanged(gameType: "party-quiz") { version game { ${FIELDS} } } }` } }));
    }
    await waitFor(() => t.app.backends.bus.localSubscribers(topic) === before + SUBS, "20 watchers");
    // The client stops reading: what the server sends piles up in the kernel's buffers, then in the server's.
    (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();

    const labels = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`l${i}`, `${"x".repeat(240)}${i}`]));
    const UPDATES = 60; // ~20 × 9 KB per update: well past the kernel's buffers (a few MB) and the bound.
    for (let n = 0; n < UPDATES; n++) {
      const r = await gql(t.url, `mutation($id: ID!, $l: JSON) { updateGame(id: $id, input: { labels: $l }) { version } }`, { id, l: { ...labels, n } }, host);
      expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    }
    (socket as unknown as { _socket: { resume(): void } })._socket.resume();
    const { code, reason } = await closed;
    expect(code).toBe(1013);
    expect(reason).toMatch(/^Too slow/);
    const nexts = frames.filter((f) => f.startsWith('{"id"') && f.includes('"type":"next"'));
    // What was queued before the bound was reached arrived in order; the rest was never queued.
    expect(nexts.length).toBeGreaterThan(0);
    expect(nexts.length).toBeLessThan(UPDATES * SUBS);
    await waitFor(() => t.app.backends.bus.localSubscribers(topic) === before, "the watchers released");
  }, 60_000);
});
