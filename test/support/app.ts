import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { signToken } from "../../src/auth/jwt.js";
import { loadEnv } from "../../src/config/env.js";
import { createLogger } from "../../src/logger.js";
import type { Catalog } from "../../src/domain/game-type.js";
import { type App, createApp } from "../../src/main.js";

export const TEST_JWT_SECRET = "test-secret-for-matchmaker-e2e";

/**
 * Budgets for suites that are about something else than limits (races of hundreds of
 * players from one address, one player creating dozens of games): every limit still runs,
 * with room to spare, as an operator load-testing would set them. The abuse suites run with
 * the shipped defaults (`shippedLimits`).
 */
export const ROOMY_LIMITS: Record<string, string> = Object.fromEntries([
  ...["CREATE", "QUICK_JOIN", "JOIN", "UPDATE", "PARTY", "WRONG_CODES", "WRONG_CODES_PER_ADDRESS", "MUTATIONS_PER_ADDRESS", "OPERATIONS_PER_ADDRESS", "SUBSCRIPTIONS_PER_ADDRESS"].map(
    (n) => [`RATE_LIMIT_${n}`, "1000000/60"],
  ),
  ["MAX_LIVE_GAMES_PER_PLAYER", "0"],
]);

export interface GqlResult<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
}

/** A real API on a free port, in embedded mode or on the given Redis. */
export interface TestApp {
  app: App;
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  redisUrl?: string;
  prefix?: string;
  /** Also run the worker (stream consumer + sweeper) in this process. */
  worker?: boolean;
  /** Controllable clock for expiry. */
  now?: () => number;
  catalog?: Catalog;
  /** Extra environment, e.g. { WORKER_BLOCK_MS: "50" }. */
  env?: Record<string, string>;
  /** Run with the shipped rate limits and caps instead of ROOMY_LIMITS. */
  shippedLimits?: boolean;
}

export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const env = loadEnv({
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: "silent",
    NODE_ENV: "test",
    ...(opts.shippedLimits ? {} : ROOMY_LIMITS),
    ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {}),
    ...(opts.prefix ? { REDIS_KEY_PREFIX: opts.prefix, EVENT_STREAM_KEY: `${opts.prefix}:game_event_stream` } : {}),
    ...opts.env,
  });
  const app = await createApp(env, createLogger("silent"), {
    api: true,
    worker: opts.worker ?? false,
    now: opts.now,
    catalog: opts.catalog,
  });
  await app.worker?.start();
  const { port } = await app.api!.listen(0, "127.0.0.1");
  return {
    app,
    url: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    close: () => app.close(),
  };
}

export function tokenFor(sub: string, opts: { admin?: boolean; name?: string; ratings?: Record<string, number>; expiresIn?: string } = {}): Promise<string> {
  return signToken(
    {
      sub,
      name: opts.name ?? sub.charAt(0).toUpperCase() + sub.slice(1),
      admin: opts.admin ?? false,
      ...(opts.ratings ? { ratings: opts.ratings } : {}),
      ...(opts.expiresIn ? { expiresIn: opts.expiresIn } : {}),
    },
    { secret: TEST_JWT_SECRET, issuer: null },
  );
}

/** POSTs one operation as a client would. */
export async function gql<TData, TVars = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: TVars,
  token?: string,
): Promise<GqlResult<TData> & { status: number }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as GqlResult<TData>) };
}

/** Like gql, but fails the test on any error and returns data. */
export async function gqlOk<TData, TVars = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: TVars,
  token?: string,
): Promise<TData> {
  const r = await gql<TData, TVars>(url, query, variables, token);
  if (r.errors?.length || !r.data) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
  return r.data;
}

export const codeOf = (r: GqlResult<unknown>) => r.errors?.[0]?.extensions?.code;

/** A graphql-ws subscription whose messages are read one at a time, with a deadline. */
export interface Subscription<T> {
  next(timeoutMs?: number): Promise<GqlResult<T>>;
  /** Resolves when the server ended the subscription or errored it (error messages included). */
  readonly done: Promise<unknown>;
  close(): Promise<void>;
}

export function wsClient(wsUrl: string, token?: string): Client {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

export function subscribe<T>(client: Client, query: string, variables: Record<string, unknown>): Subscription<T> {
  const queue: GqlResult<T>[] = [];
  const waiters: { resolve: (v: GqlResult<T>) => void; reject: (e: Error) => void }[] = [];
  // Once the server ends the subscription, a wait for more fails at once, saying why.
  let ended: Error | null = null;
  let resolveDone!: (v: unknown) => void;
  const done = new Promise((resolve) => (resolveDone = resolve));
  // What a wait that gave up reports: how far the subscription got, so a flaky failure says where it stopped.
  let received = 0;
  let socket = "not connected yet";
  const offConnected = client.on("connected", () => (socket = "connected"));
  const offClosed = client.on("closed", (e) => (socket = `closed (${(e as { code?: number }).code ?? "?"})`));
  const finish = (why: unknown) => {
    ended = new Error(why === undefined ? "the subscription completed" : `the subscription failed: ${JSON.stringify(why instanceof Error ? why.message : why)}`);
    for (const w of waiters.splice(0)) w.reject(ended);
    resolveDone(why);
  };
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (v) => {
        received++;
        const w = waiters.shift();
        if (w) w.resolve(v as GqlResult<T>);
        else queue.push(v as GqlResult<T>);
      },
      error: (e) => finish(e),
      complete: () => finish(undefined),
    },
  );
  return {
    done,
    next(timeoutMs = 5_000) {
      const ready = queue.shift();
      if (ready) return Promise.resolve(ready);
      if (ended) return Promise.reject(ended);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          // A wait that gave up must not take the next message from the one after it.
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no subscription message within ${timeoutMs} ms (${received} received before; socket ${socket})`));
        }, timeoutMs);
        const waiter = {
          resolve: (v: GqlResult<T>) => {
            clearTimeout(timer);
            resolve(v);
          },
          reject: (e: Error) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        waiters.push(waiter);
      });
    },
    async close() {
      offConnected();
      offClosed();
      unsubscribe();
    },
  };
}

/** Polls until check() is true; for waiting on server-side state, never as a timing assertion. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
