import { type Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { compareEntryIds } from "../../src/domain/entry-ids.js";
import { createKeys } from "../../src/store/redis/keys.js";
import { createRedisStore } from "../../src/store/redis/redis-store.js";
import { type ApiProcess, startApiProcess } from "../support/api-process.js";
import { waitFor } from "../support/app.js";
import { streamDrained } from "../support/stream-drained.js";
import { type RedisCluster, startRedisCluster } from "../support/redis-cluster.js";
import { randomPrefix, type RedisServer, startRedisServer } from "../support/redis-server.js";
import { buildScenario, replay, SCENARIO_TYPE, scenarioCatalog, scenarioCatalogFile, snapshotOf, writeScenario } from "../support/stream-scenario.js";

const GAMES = 200;
const PER_GAME = 103;
const GROUP = "matchmaker";

/**
 * The stream's order through crashes, deploys and several live workers, over real worker
 * processes run as operators run them (NODE_ENV=production) on a real Redis: afterwards every
 * game equals a plain in-order replay of its entries, nothing valid is dead-lettered, nothing
 * is pending, and only the live consumer is left in the group.
 */
/** Where the stream and the games live: one Redis, or a 3-master Redis Cluster. */
interface Backend {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  client(): Redis;
  /** The worker processes' settings for it. */
  env(): Record<string, string>;
  /** CLIENT PAUSE WRITE on every master (and UNPAUSE): the worker writes to the stream's and the games' masters. */
  pause(on: boolean): Promise<void>;
  /** KEYS on every master. */
  keys(pattern: string): Promise<string[]>;
}

function single(): Backend {
  let server: RedisServer;
  let redis: Redis;
  return {
    name: "one Redis",
    async start() {
      server = await startRedisServer();
      redis = new Redis(server.url);
    },
    async stop() {
      redis?.disconnect();
      await server?.stop();
    },
    client: () => redis,
    env: () => ({ REDIS_URL: server.url }),
    pause: async (on) => void (await (on ? redis.call("CLIENT", "PAUSE", "5000", "WRITE") : redis.call("CLIENT", "UNPAUSE"))),
    keys: (pattern) => redis.keys(pattern),
  };
}

function cluster(): Backend {
  let c: RedisCluster;
  let client: Cluster;
  return {
    name: "a 3-master Redis Cluster",
    async start() {
      c = await startRedisCluster({ masters: 3 });
      client = new Redis.Cluster(c.nodes.map((n) => ({ host: "127.0.0.1", port: n.port })));
    },
    async stop() {
      client?.disconnect();
      await c?.stop();
    },
    // Commands with one key, routed by slot: what the checks below send.
    client: () => client as unknown as Redis,
    env: () => ({ REDIS_URL: "", REDIS_CLUSTER_NODES: c.seeds }),
    async pause(on) {
      await Promise.all(client.nodes("master").map((n) => (on ? n.call("CLIENT", "PAUSE", "5000", "WRITE") : n.call("CLIENT", "UNPAUSE"))));
    },
    keys: async (pattern) => (await Promise.all(client.nodes("master").map((n) => n.keys(pattern)))).flat(),
  };
}

describe.each([single(), cluster()])("stream order under faults (worker processes, NODE_ENV=production, $name)", (backend) => {
  let redis: Redis;
  let catalogFile: string;
  const procs: ApiProcess[] = [];

  beforeAll(async () => {
    await backend.start();
    redis = backend.client();
    catalogFile = scenarioCatalogFile();
  }, 60_000);
  afterAll(async () => {
    for (const p of procs) p.child.kill("SIGKILL");
    await backend.stop();
  });
  // What the workers logged (warnings and errors in production) says why a moment was missed.
  beforeEach(() => {
    const before = procs.length;
    onTestFailed(() => {
      procs.slice(before).forEach((p, i) => console.error(`worker ${i + 1} of this test (pid ${p.child.pid}) output:\n${p.output().slice(-20_000)}`));
    });
  });

  /** Writes the scenario's games and backlog under a fresh prefix; returns what the checks need. */
  async function backlog(seed: number) {
    const prefix = randomPrefix();
    const streamKey = `${prefix}:game_event_stream`;
    const scenario = buildScenario({ games: GAMES, perGame: PER_GAME, seed, idPrefix: prefix });
    const store = createRedisStore({ redis, prefix, catalog: scenarioCatalog() });
    const ids = await writeScenario(redis, store, scenario, streamKey);
    expect(scenario.entries.length).toBeGreaterThanOrEqual(20_000);
    return { prefix, streamKey, scenario, store, ids };
  }

  function worker(prefix: string, name: string): Promise<ApiProcess> {
    return startApiProcess("", prefix, "worker", {
      ...backend.env(),
      NODE_ENV: "production",
      MATCHMAKER_GAME_TYPES: catalogFile,
      WORKER_CONSUMER_NAME: name,
      WORKER_BATCH_SIZE: "100",
      WORKER_LEASE_MS: "600",
      WORKER_BLOCK_MS: "100",
      // killMidBatch freezes every write for as long as one of its looks takes, which on a loaded
      // machine can pass the shipped 1 s fail-fast: the worker would take each freeze for an
      // outage and back off for seconds, and never be caught mid-batch.
      REDIS_COMMAND_TIMEOUT_MS: "30000",
    }).then((p) => (procs.push(p), p));
  }

  /**
   * Entries not yet delivered to the group: those after its last-delivered id. Counted from
   * the ids written rather than XINFO's `lag`, which Redis reports as nil for stretches of a
   * run (after a takeover), so a wait on it can sleep through the whole backlog.
   */
  const undelivered = async (b: { streamKey: string; ids: string[] }): Promise<number> => {
    const groups = (await redis.call("XINFO", "GROUPS", b.streamKey).catch(() => [])) as unknown[][];
    for (const row of groups) {
      const f = new Map<unknown, unknown>();
      for (let i = 0; i + 1 < row.length; i += 2) f.set(row[i], row[i + 1]);
      if (f.get("name") !== GROUP) continue;
      const last = String(f.get("last-delivered-id"));
      let lo = 0;
      let hi = b.ids.length; // first index whose id is after `last`
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (compareEntryIds(b.ids[mid]!, last) <= 0) lo = mid + 1;
        else hi = mid;
      }
      return b.ids.length - lo;
    }
    return b.ids.length; // no group yet: nothing read
  };
  const pendingOf = async (streamKey: string) => Number(((await redis.xpending(streamKey, GROUP)) as [number])[0]);
  const exited = (p: ApiProcess) =>
    new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      if (p.child.exitCode !== null || p.child.signalCode !== null) resolve({ code: p.child.exitCode, signal: p.child.signalCode });
      else p.child.once("exit", (code, signal) => resolve({ code, signal }));
    });
  /** Waits until the stream has been read down to `fraction` of its backlog. */
  const readDownTo = (b: { streamKey: string; ids: string[] }, fraction: number) =>
    waitFor(async () => (await undelivered(b)) <= b.ids.length * fraction, `the backlog to fall below ${fraction * 100}%`, 60_000);
  /**
   * The same, then every write frozen at once (see killMidBatch): the worker drains a life-cycle
   * backlog at ~100k entries/s, so the rest would be gone before a look that comes even 100 ms later.
   */
  const freezeAt = async (b: { streamKey: string; ids: string[] }, fraction: number) => {
    await readDownTo(b, fraction);
    await backend.pause(true);
  };
  async function kill(p: ApiProcess): Promise<void> {
    p.child.kill("SIGKILL");
    await exited(p);
  }

  /**
   * SIGKILLs `p` in the middle of a batch — some of its entries applied, none acknowledged,
   * the worst moment for order — by freezing every write (CLIENT PAUSE WRITE: the worker's
   * scripts and its XACK) until a pending entry is seen applied (its game's last applied
   * entry is at or past it). `pick` names the worker while writes are frozen, so the backlog
   * cannot drain between choosing it and the first look. Resolves true when that moment was caught.
   */
  async function killMidBatch(pick: () => Promise<ApiProcess>, b: Awaited<ReturnType<typeof backlog>>): Promise<boolean> {
    const keys = createKeys(b.prefix);
    // The worker is let run only a moment between two looks (it is single-stepped through its
    // read → apply → acknowledge cycle), so the looks cannot let it drain the backlog first.
    // Looks for up to 45 s rather than a number of times: on a loaded machine (the whole suite on
    // two cores) a thousand looks could all fall between the worker's steps.
    const deadline = Date.now() + 45_000;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      await backend.pause(true);
      const p = await pick();
      const pending = (await redis.xpending(b.streamKey, GROUP, "-", "+", 1_000)) as [string, string, number, number][];
      let caught = false;
      if (pending.length > 0) {
        const ids = new Set(pending.map(([id]) => id));
        const rows = (await redis.xrange(b.streamKey, pending[0]![0], pending[pending.length - 1]![0])) as [string, string[]][];
        const applied = await Promise.all(
          rows.map(async ([id, flat]) => {
            const f = Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]]));
            if (!ids.has(id) || ["gameplay", "heartbeat", "game_removed"].includes(f.type!)) return false;
            const seq = await redis.hget(keys.game(SCENARIO_TYPE, f.game_id!), "seq");
            return seq !== null && compareEntryIds(seq, id) >= 0;
          }),
        );
        caught = applied.includes(true);
      }
      if (caught) {
        await kill(p);
        await backend.pause(false);
        return true;
      }
      await backend.pause(false);
      await new Promise((r) => setTimeout(r, attempt % 3));
    }
    await kill(await pick());
    return false;
  }

  async function expectInOrder(b: Awaited<ReturnType<typeof backlog>>): Promise<void> {
    await waitFor(() => streamDrained(redis, b.streamKey), "the backlog to drain", 60_000);
    expect(await redis.xlen(`${b.streamKey}:dead`)).toBe(0);
    const reference = await replay(b.scenario, b.ids);
    const differing: string[] = [];
    for (const g of b.scenario.games) {
      const ref = { gameType: g.gameType, id: g.id };
      const [got, want] = [snapshotOf(await b.store.get(ref)), snapshotOf(await reference.get(ref))];
      if (JSON.stringify(got) === JSON.stringify(want)) continue;
      if (differing.length === 0) expect(got, g.id).toEqual(want); // shows the first difference in full
      differing.push(g.id);
    }
    expect(differing).toEqual([]);
  }

  it("a backlog of 20,000 entries over 200 games ends as its in-order replay, through two SIGKILLs and a SIGTERM", async () => {
    const b = await backlog(7);

    const w1 = await worker(b.prefix, "w1");
    await freezeAt(b, 0.8);
    expect(await killMidBatch(async () => w1, b)).toBe(true);
    expect(await pendingOf(b.streamKey)).toBeGreaterThan(0);

    const w2 = await worker(b.prefix, "w2");
    await freezeAt(b, 0.6);
    expect(await killMidBatch(async () => w2, b)).toBe(true);

    const w3 = await worker(b.prefix, "w3");
    await readDownTo(b, 0.35);
    const stopping = exited(w3);
    w3.child.kill("SIGTERM");
    expect(await stopping).toEqual({ code: 0, signal: null });

    const w4 = await worker(b.prefix, "w4");
    await expectInOrder(b);
    // The dead consumers are gone once their entries were taken over; only w4 reads.
    await waitFor(async () => ((await redis.call("XINFO", "CONSUMERS", b.streamKey, GROUP)) as unknown[]).length === 1, "only w4 left");
    const [[, name]] = (await redis.call("XINFO", "CONSUMERS", b.streamKey, GROUP)) as [string, string][];
    expect(name).toBe("w4");
    await kill(w4);
  }, 180_000);

  it("three live workers drain a backlog in order while the active one is SIGKILLed twice", async () => {
    const b = await backlog(11);
    const names = ["x1", "x2", "x3", "x4", "x5"];
    const live = await Promise.all(names.slice(0, 3).map((n) => worker(b.prefix, n)));
    const activeOne = async (): Promise<ApiProcess> => {
      let found: ApiProcess | undefined;
      const [leaseKey] = await backend.keys(`{*}${b.streamKey}:lease`);
      await waitFor(async () => {
        const name = (await redis.get(leaseKey!))?.split(" ")[1];
        found = live.find((p, i) => p.child.exitCode === null && names[i] === name);
        return found !== undefined;
      }, "an active worker");
      return found!;
    };
    await freezeAt(b, 0.75);
    const first = await activeOne();
    // Operators see which worker reads: one is active, the others stand by, all healthy.
    const roles = await Promise.all(live.map(async (p) => ((await (await fetch(p.probesUrl)).json()) as { role: string }).role));
    expect(roles.filter((r) => r === "active")).toHaveLength(1);
    expect(roles[live.indexOf(first)]).toBe("active");
    expect(await killMidBatch(async () => first, b)).toBe(true);
    live.push(await worker(b.prefix, names[3]!)); // a replacement joins as a standby
    await freezeAt(b, 0.45);
    expect(await killMidBatch(activeOne, b)).toBe(true);
    live.push(await worker(b.prefix, names[4]!));
    await expectInOrder(b);
    for (const p of live) if (p.child.exitCode === null) p.child.kill("SIGTERM");
    await Promise.all(live.map(exited));
  }, 180_000);
});
