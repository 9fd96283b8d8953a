import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { signToken } from "../../src/auth/jwt.js";
import { startTestApp, type TestApp, TEST_JWT_SECRET, tokenFor } from "../support/app.js";

const preflight = (t: TestApp, origin: string) =>
  fetch(t.url, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,authorization" } });

/** Opens a graphql-ws socket (optionally from a browser `origin`), sends connection_init; how it ends or "ack". */
function connect(t: TestApp, payload: unknown, origin?: string): Promise<{ code: number | string; reason: string }> {
  return new Promise((resolve) => {
    const s = new WebSocket(t.wsUrl, "graphql-transport-ws", origin ? { headers: { origin } } : {});
    s.once("unexpected-response", (_req, res) => resolve({ code: `http ${res.statusCode}`, reason: "" }));
    s.once("open", () => s.send(JSON.stringify({ type: "connection_init", payload })));
    s.on("message", (m) => {
      if (JSON.parse(String(m)).type === "connection_ack") {
        resolve({ code: "ack", reason: "" });
        s.close();
      }
    });
    s.once("close", (code, reason) => resolve({ code, reason: String(reason) }));
  });
}

describe("browsers on other origins (development defaults)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { NODE_ENV: "development" } });
  });
  afterAll(() => t.close());

  it("answers a preflight from a localhost dev server, and gives other origins no CORS headers", async () => {
    const ok = await preflight(t, "http://localhost:5173");
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(ok.headers.get("access-control-allow-headers")).toMatch(/authorization/);
    const other = await preflight(t, "https://evil.example");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("takes urql's default GET queries, refuses a GET mutation, and refuses POSTs that are not JSON (CSRF)", async () => {
    const get = await fetch(`${t.url}?query=${encodeURIComponent("{ gameTypes { id } }")}`, { headers: { accept: "application/graphql-response+json" } });
    expect(get.status).toBe(200);
    expect(((await get.json()) as { data: { gameTypes: unknown[] } }).data.gameTypes.length).toBeGreaterThan(0);
    const mutation = await fetch(`${t.url}?query=${encodeURIComponent('mutation { deleteGame(id: "x_00000000") }')}`);
    expect(mutation.status).toBe(405);
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const r = await fetch(t.url, { method: "POST", headers: { "content-type": type }, body: "query={gameTypes{id}}" });
      expect(r.status, type).toBe(415);
      expect(((await r.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe("BAD_REQUEST");
    }
  });

  it("answers request errors 200 as application/json and 4xx as application/graphql-response+json", async () => {
    const ask = (accept: string, query: string) =>
      fetch(t.url, { method: "POST", headers: { "content-type": "application/json", accept }, body: JSON.stringify({ query }) });
    for (const query of ["{ gameTypes { id ", "{ nope }"]) {
      const json = await ask("application/json", query);
      expect([json.status, json.headers.get("content-type")]).toEqual([200, "application/json; charset=utf-8"]);
      expect(((await json.json()) as { errors: unknown[] }).errors).toHaveLength(1);
      const modern = await ask("application/graphql-response+json", query);
      expect(modern.status).toBe(400);
    }
  });

  it("lets a localhost page open a socket, and refuses pages of other sites", async () => {
    expect((await connect(t, {}, "http://localhost:5173")).code).toBe("ack");
    expect((await connect(t, {}, "https://evil.example")).code).toBe("http 403");
    expect((await connect(t, {})).code).toBe("ack"); // no Origin: a game client, not a browser page
  });

  it("names why a socket's token is refused, with a code clients do not retry, and reads the common connectionParams shapes", async () => {
    const alice = await tokenFor("alice");
    for (const payload of [
      { authorization: `Bearer ${alice}` },
      { Authorization: alice },
      { headers: { Authorization: `Bearer ${alice}` } },
      { authToken: alice },
      { token: alice },
    ]) {
      expect((await connect(t, payload)).code, JSON.stringify(Object.keys(payload))).toBe("ack");
    }
    const otherSecret = await signToken({ sub: "alice", name: "Alice" }, { secret: "a-different-secret-0123456789", issuer: null });
    const expired = await signToken({ sub: "alice", name: "Alice", expiresIn: "-1m" }, { secret: TEST_JWT_SECRET, issuer: null });
    const cases: [unknown, RegExp][] = [
      [{ authorization: `Bearer ${otherSecret}` }, /Unauthorized: token refused \(bad signature\)/],
      [{ authorization: `Bearer ${expired}` }, /Unauthorized: token refused \(expired\)/],
      [{ authorization: "Bearer not-a-token" }, /Unauthorized: token refused \(not a JWT\)/],
      [{ jwt: alice }, /Unauthorized: connectionParams\.jwt is not read/],
    ];
    for (const [payload, reason] of cases) {
      const closed = await connect(t, payload);
      expect(closed.code).toBe(4401);
      expect(closed.reason).toMatch(reason);
    }
  });

  it("says over HTTP too which way a token is wrong", async () => {
    const otherSecret = await signToken({ sub: "alice", name: "Alice" }, { secret: "a-different-secret-0123456789", issuer: null });
    const r = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${otherSecret}` },
      body: JSON.stringify({ query: "{ gameTypes { id } }" }),
    });
    expect(r.status).toBe(401);
    const body = (await r.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe("UNAUTHENTICATED");
    expect(body.errors[0]!.message).toMatch(/signed with another JWT_SECRET/);
  });
});

describe("browsers on other origins (production, CORS_ORIGINS set)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { NODE_ENV: "production", CORS_ORIGINS: "https://play.example.com" } });
  });
  afterAll(() => t.close());

  it("allows exactly the listed origins, for HTTP and for sockets", async () => {
    expect((await preflight(t, "https://play.example.com")).headers.get("access-control-allow-origin")).toBe("https://play.example.com");
    expect((await preflight(t, "http://localhost:5173")).headers.get("access-control-allow-origin")).toBeNull();
    expect((await connect(t, {}, "https://play.example.com")).code).toBe("ack");
    expect((await connect(t, {}, "http://localhost:5173")).code).toBe("http 403");
  });
});

describe("operations on the wrong transport, and introspection in production", () => {
  let dev: TestApp, prod: TestApp;
  beforeAll(async () => {
    [dev, prod] = await Promise.all([startTestApp({ env: { NODE_ENV: "development" } }), startTestApp({ env: { NODE_ENV: "production" } })]);
  });
  afterAll(async () => {
    await Promise.all([dev.close(), prod.close()]);
  });

  const post = (t: TestApp, query: string) =>
    fetch(t.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] },
    }));

  /** One operation over graphql-ws, as the reference client sends it; the first result. */
  const overSocket = async (t: TestApp, query: string) => {
    const { createClient } = await import("graphql-ws");
    const client = createClient({ url: t.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      return await new Promise<{ data?: unknown; errors?: readonly { message: string }[] }>((resolve, reject) => {
        client.subscribe({ query }, { next: resolve, error: (e) => (Array.isArray(e) ? resolve({ errors: e }) : reject(e)), complete: () => {} });
      });
    } finally {
      await client.dispose();
    }
  };

  it("refuses a subscription over HTTP with a pointer to graphql-ws, instead of running it", async () => {
    const r = await post(dev, 'subscription { gameChanged(gameType: "party-quiz") { gameId } }');
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]?.extensions?.code).toBe("BAD_REQUEST");
    expect(r.body.errors?.[0]?.message).toContain("graphql-ws");
    expect(r.body.data).toBeUndefined();
  });

  it("answers introspection outside production, and refuses it in production over HTTP and graphql-ws alike", async () => {
    const introspect = "{ __schema { queryType { name } } }";
    expect((await post(dev, introspect)).body.data).toEqual({ __schema: { queryType: { name: "Query" } } });
    expect((await overSocket(dev, introspect)).data).toEqual({ __schema: { queryType: { name: "Query" } } });
    const overHttp = await post(prod, introspect);
    expect(overHttp.body.data).toBeUndefined();
    expect(overHttp.body.errors?.[0]?.message).toMatch(/introspection/i);
    const viaSocket = await overSocket(prod, introspect);
    expect(viaSocket.data).toBeUndefined();
    expect(viaSocket.errors?.[0]?.message).toMatch(/introspection/i);
    // Ordinary queries still run.
    expect((await overSocket(prod, "{ gameTypes { id } }")).data).toMatchObject({ gameTypes: expect.any(Array) });
  });
});
