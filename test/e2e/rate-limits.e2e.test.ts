import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { codeOf, gql, type GqlResult, startTestApp, type TestApp, tokenFor } from "../support/app.js";
import { randomPrefix, type RedisServer, startRedisServer } from "../support/redis-server.js";
import { type RedisCluster, startRedisCluster } from "../support/redis-cluster.js";

const CREATE = 'createGame(input: { gameType: "party-quiz" }) { id }';
const retryAfter = (r: GqlResult<unknown>, i = 0) => r.errors?.[i]?.extensions?.retryAfterSeconds as number | undefined;

/** POSTs one operation as if from `address` (the app trusts one proxy hop). */
async function from(t: TestApp, address: string, query: string, variables?: Record<string, unknown>, token?: string) {
  const res = await fetch(t.url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": address, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, retryAfterHeader: res.headers.get("retry-after"), ...((await res.json()) as GqlResult<unknown>) };
}

/** A graphql-ws client whose socket comes from `address` (X-Forwarded-For). */
function wsFrom(t: TestApp, address: string) {
  class FromAddress extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { "x-forwarded-for": address } });
    }
  }
  return createClient({ url: t.wsUrl, webSocketImpl: FromAddress, retryAttempts: 0, lazy: true });
}

/** The first result or error of one subscription (or operation) over graphql-ws. */
function firstOf(client: ReturnType<typeof createClient>, query: string): Promise<{ errors?: unknown; data?: unknown }> {
  return new Promise((resolve) => {
    const stop = client.subscribe({ query }, {
      next: (v) => {
        resolve(v as { data?: unknown });
        stop();
      },
      error: (e) => resolve({ errors: e }),
      complete: () => resolve({}),
    });
    // A subscription that started and has nothing to say yet is "started".
    setTimeout(() => resolve({ data: "started" }), 300);
  });
}

/** Where two API instances keep their counters: one Redis, or a 3-master cluster (each player's counter on its own slot). */
const BACKENDS: { name: string; start: () => Promise<{ env: Record<string, string>; stop: () => Promise<void> }> }[] = [
  {
    name: "one Redis",
    start: async () => {
      const redis: RedisServer = await startRedisServer();
      return { env: { REDIS_URL: redis.url }, stop: () => redis.stop() };
    },
  },
  {
    name: "a 3-master Redis Cluster",
    start: async () => {
      const cluster: RedisCluster = await startRedisCluster({ masters: 3 });
      return { env: { REDIS_CLUSTER_NODES: cluster.seeds }, stop: () => cluster.stop() };
    },
  },
];

/**
 * The rate limits and the live-games cap with the shipped defaults, over HTTP and graphql-ws,
 * shared by two API instances.
 */
describe.each(BACKENDS)("rate limits (shipped defaults, $name, two API instances)", (backend) => {
  let stop: (() => Promise<void>) | undefined;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const started = await backend.start();
    stop = started.stop;
    const opts = { prefix: randomPrefix(), shippedLimits: true, env: { NODE_ENV: "production", ...started.env } };
    [a, b] = await Promise.all([startTestApp(opts), startTestApp(opts)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await stop?.();
  });

  it("bounds one token's createGame: 15 aliases store 5 games (the cap); 10 calls a minute, then RATE_LIMITED on every instance", async () => {
    const alice = await tokenFor("alice");
    const aliases = `mutation { ${Array.from({ length: 15 }, (_, i) => `g${i}: ${CREATE}`).join(" ")} }`;
    // Mutation fields run one after another; the sixth is past the cap, and the rest do not run.
    const r = await gql(a.url, aliases, undefined, alice);
    expect(r.errors!.map((e) => e.extensions?.code)).toEqual(["TOO_MANY_GAMES"]);
    const live = await gql<{ games: { totalCount: number } }>(a.url, '{ games(filter: { gameType: "party-quiz" }) { totalCount } }');
    expect(live.data!.games.totalCount).toBe(5);
    // Six of the ten calls a minute are spent; refusals spend too.
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push(await gql((i % 2 ? b : a).url, `mutation { ${CREATE} }`, undefined, alice));
    expect(outcomes.map((o) => codeOf(o))).toEqual(["TOO_MANY_GAMES", "TOO_MANY_GAMES", "TOO_MANY_GAMES", "TOO_MANY_GAMES", "RATE_LIMITED"]);
    const limited = outcomes[4]!;
    expect(retryAfter(limited)).toBeGreaterThanOrEqual(1);
    expect(retryAfter(limited)).toBeLessThanOrEqual(60);
    expect(limited.errors![0]!.message).toMatch(/Too many games created; try again in \d+ s/);
  });

  it("shares a player's quickJoin budget across API instances: 30 a minute, then RATE_LIMITED", async () => {
    const bob = await tokenFor("bob");
    const outcomes: unknown[] = [];
    for (let i = 0; i < 31; i++) {
      const r = await gql((i % 2 ? b : a).url, 'mutation { quickJoin(input: { gameType: "party-quiz" }) { id } }', undefined, bob);
      outcomes.push(codeOf(r) ?? "ok");
    }
    expect(outcomes.slice(0, 30)).not.toContain("RATE_LIMITED");
    expect(outcomes[30]).toBe("RATE_LIMITED");
  });

  it("makes guessing join codes take years: 30 wrong codes a day per player, then even a right one is refused", async () => {
    const host = await tokenFor("host");
    const made = await gql<{ createGame: { joinCode: string } }>(
      a.url,
      'mutation { createGame(input: { gameType: "party-quiz", visibility: PRIVATE }) { joinCode } }',
      undefined,
      host,
    );
    const code = made.data!.createGame.joinCode;
    const guesser = await tokenFor("guesser");
    const guess = (c: string, url = a.url) => gql(url, "mutation($c: String!) { joinGameByCode(code: $c) { id } }", { c }, guesser);
    for (let i = 0; i < 30; i++) expect(codeOf(await guess(code === "ZZZZZZ" ? "YYYYYY" : "ZZZZZZ", i % 2 ? b.url : a.url))).toBe("FORBIDDEN");
    const refused = await guess(code);
    expect(codeOf(refused)).toBe("RATE_LIMITED");
    expect(retryAfter(refused)).toBeGreaterThan(80_000);
    // Guessing in parallel does not stretch the budget: each try spends a guess before it runs.
    const racer = await tokenFor("racer");
    const racing = await Promise.all(
      Array.from({ length: 40 }, (_, i) => gql((i % 2 ? b : a).url, "mutation { joinGameByCode(code: \"ZZZZZZ\") { id } }", undefined, racer)),
    );
    expect(racing.filter((r) => codeOf(r) === "FORBIDDEN")).toHaveLength(30);
    expect(racing.filter((r) => codeOf(r) === "RATE_LIMITED")).toHaveLength(10);
    // Someone else at the same address still gets in with the right code.
    const friend = await tokenFor("friend");
    expect(codeOf(await gql(a.url, "mutation($c: String!) { joinGameByCode(code: $c) { id } }", { c: code }, friend))).toBeUndefined();
  });
});

describe("rate limits per client address (behind one proxy hop, small budgets)", () => {
  let redis: RedisServer;
  let t: TestApp;
  beforeAll(async () => {
    redis = await startRedisServer();
    t = await startTestApp({
      redisUrl: redis.url,
      prefix: randomPrefix(),
      shippedLimits: true,
      env: {
        NODE_ENV: "production",
        TRUST_PROXY_HOPS: "1",
        RATE_LIMIT_OPERATIONS_PER_ADDRESS: "20/60",
        RATE_LIMIT_SUBSCRIPTIONS_PER_ADDRESS: "3/60",
        RATE_LIMIT_WRONG_CODES_PER_ADDRESS: "12/86400",
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  it("answers an address past its operations budget 429 with Retry-After, over HTTP and graphql-ws alike; other addresses go on", async () => {
    for (let i = 0; i < 20; i++) expect((await from(t, "203.0.113.7", "{ gameTypes { id } }")).status).toBe(200);
    const refused = await from(t, "203.0.113.7", "{ gameTypes { id } }");
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfterHeader)).toBeGreaterThanOrEqual(1);
    expect(codeOf(refused)).toBe("RATE_LIMITED");
    expect(retryAfter(refused)).toBe(Number(refused.retryAfterHeader));
    expect(refused.data ?? null).toBeNull();
    // The socket is no way around it.
    const ws = wsFrom(t, "203.0.113.7");
    try {
      expect(JSON.stringify((await firstOf(ws, "{ gameTypes { id } }")).errors)).toContain("RATE_LIMITED");
    } finally {
      await ws.dispose();
    }
    expect((await from(t, "198.51.100.4", "{ gameTypes { id } }")).status).toBe(200);
  });

  it("spends the address's budget on refused requests too: malformed, over the limits, badly signed", async () => {
    const address = "203.0.113.50";
    for (let i = 0; i < 7; i++) expect(codeOf(await from(t, address, "{ gameTypes { id "))).toBe("GRAPHQL_PARSE_FAILED");
    for (let i = 0; i < 7; i++) expect(codeOf(await from(t, address, `{ ${"a { ".repeat(20)}b${" }".repeat(20)} }`))).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
    for (let i = 0; i < 6; i++) expect(codeOf(await from(t, address, "{ gameTypes { id } }", undefined, "not-a-jwt"))).toBe("UNAUTHENTICATED");
    expect((await from(t, address, "{ gameTypes { id } }")).status).toBe(429);
  });

  it("caps subscriptions started per address, across connections", async () => {
    const clients = Array.from({ length: 4 }, () => wsFrom(t, "203.0.113.9"));
    try {
      const outcomes = [];
      for (const c of clients) outcomes.push(await firstOf(c, 'subscription { gameChanged(gameType: "party-quiz") { gameId } }'));
      expect(outcomes.slice(0, 3).map((o) => o.errors)).toEqual([undefined, undefined, undefined]);
      expect(JSON.stringify(outcomes[3]!.errors)).toContain("RATE_LIMITED");
    } finally {
      await Promise.all(clients.map((c) => c.dispose()));
    }
  });

  it("counts wrong join codes per address too, whichever token guesses", async () => {
    const guess = async (who: string) => from(t, "192.0.2.33", "mutation { joinGameByCode(code: \"ZZZZZZ\") { id } }", undefined, await tokenFor(who));
    for (let i = 0; i < 12; i++) expect(codeOf(await guess(`g${i % 4}`))).toBe("FORBIDDEN");
    const fresh = await guess("newcomer");
    expect(codeOf(fresh)).toBe("RATE_LIMITED");
  });
});
