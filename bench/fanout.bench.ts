import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { signToken } from "../src/auth/jwt.js";
import { startRedisServer } from "../test/support/redis-server.js";
import { imageNodeFlags } from "./image-node-options.js";
import { FANOUT_SECRET, FANOUT_TYPE, type FanOutServerKind } from "./fanout-server.js";
import { graphqlClient, percentile } from "./http-load.js";

const SERVER = fileURLToPath(new URL("./fanout-server.js", import.meta.url));
const CLIENT = fileURLToPath(new URL("./fanout-client.js", import.meta.url));

/** The subscription every project subscriber starts (anonymous: no token, as a lobby page watches). */
const SUBSCRIBE = JSON.stringify({
  id: "1",
  type: "subscribe",
  payload: {
    query: "subscription($t: ID){ gameChanged(gameType:$t){ kind version game { id state freeSeats labels players { id name } } } }",
    variables: { t: FANOUT_TYPE },
  },
});
const UPDATE = "mutation Update($id: ID!, $labels: JSON!) { updateGame(id: $id, input: { labels: $labels }) { version } }";

export type FanOutRowName = "saturation" | "1k" | "10k" | "idle";
export const ALL_FANOUT_ROWS: readonly FanOutRowName[] = ["saturation", "1k", "10k", "idle"];
const ROWS: Record<FanOutRowName, { subscribers: number; rate: number; measure: "throughput" | "latency" | "idle" }> = {
  saturation: { subscribers: 1_000, rate: 100, measure: "throughput" },
  "1k": { subscribers: 1_000, rate: 20, measure: "latency" },
  "10k": { subscribers: 10_000, rate: 2, measure: "latency" },
  idle: { subscribers: 10_000, rate: 0, measure: "idle" },
};

/** One server's figures on one row. */
export interface FanOutSide {
  /** Frames received per second by all subscribers together, over the steady window. */
  framesPerSecond: number;
  /** Changes applied per second (mutations / broadcasts answered OK) sent in the window. */
  changesPerSecond: number;
  /** Mean size of the frames received, bytes (for bare ws: the size asked for). */
  frameBytes: number;
  /** Mutation (or broadcast request) sent → frame received, over every (subscriber, change) pair of the window. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** (subscriber, change) pairs of the window's changes: expected, and not received by the end of the drain. */
  expected: number;
  missed: number;
  /** Changes whose mutation failed (not expected of anyone), with the first few reasons. */
  failedChanges: number;
  failures: string[];
  /** Other oddities the clients saw: duplicate frames, error/complete messages, closed connections. */
  oddities: string[];
  /** CPU over the steady window, % of one core: the server process, and all client processes. */
  serverCpu: number;
  clientCpu: number;
  /** Idle row: the server's RSS growth per subscribed connection, KB (after global.gc()). */
  rssKbPerConnection: number;
  heapKbPerConnection: number;
  /** How long connecting and subscribing every client took, ms. */
  connectMs: number;
}

export interface FanOutRow {
  row: FanOutRowName;
  subscribers: number;
  rate: number;
  measure: "throughput" | "latency" | "idle";
  /** The median round (by frames/s) of each. */
  project: FanOutSide;
  bare: FanOutSide;
  /** Frames/s of every round, in order (saturation: BENCH_FANOUT_ROUNDS of them). */
  rounds: { project: number[]; bare: number[] };
}

export interface FanOutResult {
  rows: FanOutRow[];
  windowMs: number;
  warmupMs: number;
  drainMs: number;
  clientProcs: number;
  rounds: number;
  mode: "embedded" | "redis";
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const clock = () => performance.timeOrigin + performance.now();

/** A forked bench process spoken to over IPC: { id, cmd } → { id, … } | { id, error }. */
class Child {
  readonly proc: ChildProcess;
  readonly ready: Promise<Record<string, unknown>>;
  private nextId = 1;
  private waiting = new Map<number, { resolve(v: Record<string, unknown>): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  private exitCode: string | null = null;

  constructor(
    readonly name: string,
    script: string,
    args: string[],
    env: Record<string, string>,
    execArgv: string[],
    readyMs: number,
  ) {
    // NODE_ENV=production as the Docker image sets it.
    this.proc = fork(script, args, { env: { ...process.env, NODE_ENV: "production", ...env }, execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
    live.add(this);
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: not ready within ${readyMs} ms`)), readyMs);
      this.proc.on("message", (m: Record<string, unknown>) => {
        if (typeof m.warning === "string") {
          // The same warning from every server of a kind, printed once.
          const line = `${name}: ${m.warning}`;
          if (!warned.has(line)) {
            warned.add(line);
            console.warn(line);
          }
          return;
        }
        if (m.ready) {
          clearTimeout(timer);
          resolve(m);
          return;
        }
        const w = this.waiting.get(m.id as number);
        if (!w) return;
        this.waiting.delete(m.id as number);
        clearTimeout(w.timer);
        if (typeof m.error === "string") w.reject(new Error(`${name}: ${m.error}`));
        else w.resolve(m);
      });
      this.proc.once("exit", (code, signal) => {
        this.exitCode = String(code ?? signal);
        live.delete(this);
        clearTimeout(timer);
        const err = new Error(`${name} exited (${this.exitCode})`);
        reject(err);
        for (const w of this.waiting.values()) {
          clearTimeout(w.timer);
          w.reject(err);
        }
        this.waiting.clear();
      });
    });
    this.ready.catch(() => {}); // observed by whoever awaits it; an exit later must not be unhandled
  }

  ask<T = Record<string, unknown>>(cmd: string, body: object, timeoutMs: number): Promise<T> {
    if (this.exitCode !== null) return Promise.reject(new Error(`${this.name} exited (${this.exitCode}) before ${cmd}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}: no answer to ${cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, { resolve: resolve as (v: Record<string, unknown>) => void, reject, timer });
      this.proc.send({ id, cmd, ...body });
    });
  }

  async stop(): Promise<void> {
    if (this.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.once("exit", r));
    this.ask("stop", {}, 10_000).catch(() => this.proc.kill("SIGKILL"));
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), 12_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Every child still running: stopped at the end of the bench, killed if this process exits first. */
const live = new Set<Child>();
const warned = new Set<string>();
let exitHook = false;

/** `n` connections over `procs` client processes: [first index, count] of each. */
const split = (n: number, procs: number) =>
  Array.from({ length: procs }, (_, p) => {
    const first = Math.floor((n * p) / procs);
    return [first, Math.floor((n * (p + 1)) / procs) - first] as const;
  }).filter(([, count]) => count > 0);

const DRIVER_ADDRESSES = 1_000;

/**
 * Subscription fan-out of the project (graphql-ws, gameChanged(gameType) of one type, changes by
 * updateGame over HTTP) against a bare `ws` server broadcasting frames of the same size to the same
 * raw-ws clients, in the same run. Each server in its own process; the clients in
 * `clientProcs` processes of their own; the change driver here. A fresh server and fresh
 * clients per row and server.
 */
export async function fanOutBench(opts: {
  rows: readonly FanOutRowName[];
  windowMs: number;
  warmupMs: number;
  drainMs: number;
  clientProcs: number;
  /** Rounds of the saturation row. */
  rounds: number;
  redis: boolean;
}): Promise<FanOutResult> {
  if (!exitHook) {
    exitHook = true;
    process.once("exit", () => {
      for (const c of live) c.proc.kill("SIGKILL");
    });
  }
  const redis = opts.redis ? await startRedisServer() : null;
  const rows: FanOutRow[] = [];
  try {
    for (const name of opts.rows) {
      const spec = ROWS[name];
      // Saturation swings from run to run (whatever else the 2 cores do): interleaved rounds,
      // each on fresh servers and clients, and the median round of each.
      const rounds = spec.measure === "throughput" ? Math.max(1, opts.rounds) : 1;
      const projects: FanOutSide[] = [];
      const bares: FanOutSide[] = [];
      for (let i = 0; i < rounds; i++) {
        const project = await side("project", spec, opts, redis?.url, 0);
        projects.push(project);
        // Bare ws frames are as large as the project's were (on average) in the same round.
        bares.push(await side("bare-ws", spec, opts, undefined, spec.measure === "idle" ? 0 : project.frameBytes || 300));
      }
      const mid = (sides: FanOutSide[]) => [...sides].sort((x, y) => x.framesPerSecond - y.framesPerSecond)[Math.floor(sides.length / 2)]!;
      rows.push({
        row: name,
        ...spec,
        project: mid(projects),
        bare: mid(bares),
        rounds: { project: projects.map((r) => r.framesPerSecond), bare: bares.map((r) => r.framesPerSecond) },
      });
    }
  } finally {
    await Promise.allSettled([...live].map((c) => c.stop()));
    await redis?.stop();
  }
  return { rows, windowMs: opts.windowMs, warmupMs: opts.warmupMs, drainMs: opts.drainMs, clientProcs: opts.clientProcs, rounds: opts.rounds, mode: opts.redis ? "redis" : "embedded" };
}

/** One row on one server: start it, connect and subscribe every client, drive changes (or hold idle), measure, stop. */
async function side(
  kind: FanOutServerKind,
  spec: (typeof ROWS)[FanOutRowName],
  opts: { windowMs: number; warmupMs: number; drainMs: number; clientProcs: number },
  redisUrl: string | undefined,
  bareFrameBytes: number,
): Promise<FanOutSide> {
  const label = `${kind} (${spec.subscribers} subscribers, ${spec.measure})`;
  const children: Child[] = [];
  try {
    // --expose-gc: RSS is read after a full collection.
    // BENCH_FANOUT_CPU_PROF=DIR: a V8 CPU profile of each server process, written when it exits.
    const prof = process.env.BENCH_FANOUT_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_FANOUT_CPU_PROF}`] : [];
    // The project's server with the Docker image's Node flags, as it ships.
    const flags = kind === "project" ? imageNodeFlags() : [];
    const server = new Child(`fan-out server ${kind}`, SERVER, [kind], redisUrl ? { BENCH_REDIS_URL: redisUrl } : {}, ["--expose-gc", ...flags, ...prof], 60_000);
    children.push(server);
    const info = (await server.ready) as { port: number; gameIds: string[]; creators: string[] };
    const url = kind === "project" ? `ws://127.0.0.1:${info.port}/graphql` : `ws://127.0.0.1:${info.port}/`;
    const before = spec.measure === "idle" ? await server.ask<{ rss: number; heapUsed: number }>("rss", {}, 30_000) : null;

    const parts = split(spec.subscribers, opts.clientProcs);
    const clients = parts.map((_, p) => new Child(`fan-out clients ${p + 1}/${parts.length}`, CLIENT, [], {}, [], 30_000));
    children.push(...clients);
    await Promise.all(clients.map((c) => c.ready));
    const connectStarted = performance.now();
    // Bounded: 30 s, and 10 ms more per connection (10,000: 130 s).
    const connectMs = 30_000 + spec.subscribers * 10;
    await Promise.all(clients.map((c, p) => c.ask("connect", { url, kind, first: parts[p]![0], count: parts[p]![1], query: SUBSCRIBE }, connectMs)));
    await waitFor(async () => (await server.ask<{ n: number }>("subscribers", {}, 10_000)).n === spec.subscribers, 60_000, async () => {
      const { n } = await server.ask<{ n: number }>("subscribers", {}, 10_000);
      return `${label}: the server counts ${n} subscribers of ${spec.subscribers} after 60 s`;
    });
    const connectedMs = performance.now() - connectStarted;
    const base: FanOutSide = {
      framesPerSecond: NaN,
      changesPerSecond: NaN,
      frameBytes: bareFrameBytes,
      p50Ms: NaN,
      p99Ms: NaN,
      maxMs: NaN,
      expected: 0,
      missed: 0,
      failedChanges: 0,
      failures: [],
      oddities: [],
      serverCpu: NaN,
      clientCpu: NaN,
      rssKbPerConnection: NaN,
      heapKbPerConnection: NaN,
      connectMs: connectedMs,
    };

    if (spec.measure === "idle") {
      // Let graphql-ws and the bus settle (no frames flow), then read RSS after a full GC.
      await sleep(1_000);
      const after = await server.ask<{ rss: number; heapUsed: number }>("rss", {}, 30_000);
      return {
        ...base,
        rssKbPerConnection: (after.rss - before!.rss) / spec.subscribers / 1024,
        heapKbPerConnection: (after.heapUsed - before!.heapUsed) / spec.subscribers / 1024,
      };
    }

    // The change driver: `rate` changes a second, open loop (never waiting for an answer), over
    // keep-alive HTTP. Project: updateGame by each game's creator, round robin over the games.
    // Bare ws: a POST asking the bare server to broadcast frame N of the project's frame size.
    const http = graphqlClient(kind === "project" ? `http://127.0.0.1:${info.port}/graphql` : `http://127.0.0.1:${info.port}/broadcast`, 64);
    const tokens = kind === "project" ? await Promise.all(info.creators.map((sub) => signToken({ sub, name: sub }, { secret: FANOUT_SECRET, issuer: null }))) : [];
    let nextAddress = 0;
    const send = async (seq: number): Promise<string | null> => {
      const n = nextAddress++ % DRIVER_ADDRESSES;
      const headers: Record<string, string> = { "x-forwarded-for": `198.18.${n >> 8}.${n & 255}` };
      let body: string;
      if (kind === "project") {
        const g = seq % info.gameIds.length;
        headers.authorization = `Bearer ${tokens[g]}`;
        body = JSON.stringify({ query: UPDATE, variables: { id: info.gameIds[g], labels: { seq, mode: "ranked", skill: 1200 } } });
      } else {
        body = `{"seq":${seq},"size":${bareFrameBytes}}`;
      }
      try {
        const r = await http.post(body, headers);
        if (r.status !== 200 || r.errors) return `HTTP ${r.status} ${JSON.stringify(r.errors ?? "").slice(0, 200)}`;
        return null;
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    };

    const total = opts.warmupMs + opts.windowMs;
    const maxSeq = Math.ceil((spec.rate * total) / 1_000) + 10;
    await Promise.all(clients.map((c) => c.ask("track", { maxSeq }, 30_000)));
    type Snapshot = { clients: { frames: number; bytes: number; at: number; cpuUs: number }[]; serverCpuUs: number };
    const snapshot = async (): Promise<Snapshot> => {
      const [cs, s] = await Promise.all([
        Promise.all(clients.map((c) => c.ask<Snapshot["clients"][number]>("count", {}, 30_000))),
        server.ask<{ cpuUs: number }>("cpu", {}, 30_000),
      ]);
      return { clients: cs, serverCpuUs: s.cpuUs };
    };

    const sentAt = new Map<number, number>();
    const windowSeqs: number[] = [];
    const failed = new Map<number, string>();
    const pending = new Set<Promise<void>>();
    const interval = 1_000 / spec.rate;
    const t0 = performance.now();
    const windowStart = t0 + opts.warmupMs;
    const windowEnd = windowStart + opts.windowMs;
    const startSnap = sleep(opts.warmupMs).then(snapshot);
    const endSnap = sleep(total).then(snapshot);
    for (let seq = 1; ; seq++) {
      const due = t0 + (seq - 1) * interval;
      if (due >= windowEnd) break;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (due >= windowStart) windowSeqs.push(seq);
      sentAt.set(seq, clock());
      const p = send(seq).then((err) => {
        if (err !== null) failed.set(seq, err);
      });
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
    const [a, b] = await Promise.all([startSnap, endSnap]);
    await within(Promise.all([...pending]), 30_000, `${label}: mutations still unanswered 30 s after the last`);
    http.close();

    const okWindow = windowSeqs.filter((s) => !failed.has(s));
    const windowS = opts.windowMs / 1_000;
    let frames = 0;
    let bytes = 0;
    let clientCpuUs = 0;
    let framesPerSecond = 0;
    for (let p = 0; p < clients.length; p++) {
      const [x, y] = [a.clients[p]!, b.clients[p]!];
      frames += y.frames - x.frames;
      bytes += y.bytes - x.bytes;
      clientCpuUs += y.cpuUs - x.cpuUs;
      // Each process's own clock readings: a reply delayed behind a burst of frames moves nothing.
      framesPerSecond += ((y.frames - x.frames) * 1_000) / (y.at - x.at);
    }
    const wallUs = opts.windowMs * 1_000;
    const result: FanOutSide = {
      ...base,
      framesPerSecond,
      changesPerSecond: okWindow.length / windowS,
      frameBytes: frames > 0 ? Math.round(bytes / frames) : bareFrameBytes,
      failedChanges: failed.size,
      failures: [...new Set(failed.values())].slice(0, 3),
      serverCpu: ((b.serverCpuUs - a.serverCpuUs) * 100) / wallUs,
      clientCpu: (clientCpuUs * 100) / wallUs,
    };
    if (spec.measure === "throughput") return result;

    // Below saturation every subscriber must get every change: wait (at most drainMs) until the
    // window's changes have all arrived, then join receive times with send times.
    const expected = spec.subscribers * okWindow.length;
    const arrived = async () => (await Promise.all(clients.map((c) => c.ask<{ n: number }>("received", { seqs: okWindow }, 30_000)))).reduce((s, r) => s + r.n, 0);
    const drainUntil = performance.now() + opts.drainMs;
    while ((await arrived()) < expected && performance.now() < drainUntil) await sleep(100);
    const sends = okWindow.map((s) => [s, sentAt.get(s)!] as [number, number]);
    type Report = { latencies: number[]; missed: number; duplicates: number; untracked: number; others: number; otherSamples: string[]; closedEarly: number; closeSamples: string[] };
    const reports = await Promise.all(clients.map((c) => c.ask<Report>("report", { sends }, 60_000)));
    const all = new Float64Array(reports.reduce((s, r) => s + r.latencies.length, 0));
    let k = 0;
    for (const r of reports) for (const l of r.latencies) all[k++] = l;
    all.sort();
    const oddities: string[] = [];
    const sum = (f: (r: Report) => number) => reports.reduce((s, r) => s + f(r), 0);
    if (sum((r) => r.duplicates)) oddities.push(`${sum((r) => r.duplicates)} duplicate frames`);
    if (sum((r) => r.untracked)) oddities.push(`${sum((r) => r.untracked)} frames of unknown changes`);
    if (sum((r) => r.others)) oddities.push(`${sum((r) => r.others)} other messages (${reports.flatMap((r) => r.otherSamples).slice(0, 2).join(" | ")})`);
    if (sum((r) => r.closedEarly)) oddities.push(`${sum((r) => r.closedEarly)} connections closed (${reports.flatMap((r) => r.closeSamples).slice(0, 2).join(" | ")})`);
    return {
      ...result,
      p50Ms: percentile(all, 0.5),
      p99Ms: percentile(all, 0.99),
      maxMs: all.length ? all[all.length - 1]! : NaN,
      expected,
      missed: sum((r) => r.missed),
      oddities,
    };
  } finally {
    // Clients first: a server stopped under 10,000 open sockets has more to close.
    await Promise.allSettled(children.slice(1).map((c) => c.stop()));
    await Promise.allSettled(children.slice(0, 1).map((c) => c.stop()));
  }
}

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitFor(done: () => Promise<boolean>, ms: number, why: () => Promise<string>): Promise<void> {
  const until = performance.now() + ms;
  while (!(await done())) {
    if (performance.now() > until) throw new Error(await why());
    await sleep(100);
  }
}
