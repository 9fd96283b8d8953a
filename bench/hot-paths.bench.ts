import { type ChildProcess, fork } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { signToken } from "../src/auth/jwt.js";
import { Redis } from "ioredis";
import { startRedisServer } from "../test/support/redis-server.js";
import { redisCpuSeconds } from "./capacity.bench.js";
import { imageNodeFlags } from "./image-node-options.js";
import { BENCH_SECRET, type ServerKind } from "./hot-paths-server.js";
import { type GraphqlClient, graphqlClient, median, rate } from "./http-load.js";
import { formatSummary, type ProfileSummary, summarizeProfile } from "./profile-summary.js";

const SERVER = fileURLToPath(new URL("./hot-paths-server.js", import.meta.url));

const GAMES_QUERY = JSON.stringify({
  query: `query Games { games(first: 20, filter: { gameType: "party-quiz" }) {
  totalCount edges { node { id state freeSeats region labels players { id name } } } } }`,
});
const JOIN = `mutation JoinGame($id: ID!) { joinGame(id: $id) { id } }`;
const LEAVE = `mutation LeaveGame($id: ID!) { leaveGame(id: $id) { id } }`;
const QUICK_JOIN = JSON.stringify({ query: `mutation QuickJoin { quickJoin(input: { gameType: "party-quiz" }) { id } }` });
const ENQUEUE = JSON.stringify({ query: `mutation Enqueue { enqueueMatchTicket(input: { gameType: "party-quiz", queue: "duos", rating: 1500 }) { id status } }` });
const CANCEL = "mutation Cancel($id: ID!) { cancelMatchTicket(id: $id) { cancelled } }";
const TOUCH = `mutation Touch($id: ID!) { touch(id: $id) { id } }`;

/** The servers a path is measured on: the project's, and the same-run baselines. */
type BaseName = "project-redis" | "project-embedded" | "bare-games" | "trivial" | "trivial-jwt";
/** A server of this build, or (with a `@compare` suffix) the project's server of the compare build. */
type ServerName = BaseName | `${"project-redis" | "project-embedded"}@compare`;
const base = (n: ServerName) => n.replace(/@compare$/, "") as BaseName;
const KIND: Record<BaseName, ServerKind> = {
  "project-redis": "project",
  "project-embedded": "project",
  "bare-games": "bare-games",
  trivial: "trivial",
  "trivial-jwt": "trivial-jwt",
};
const LABEL: Record<BaseName, string> = {
  "project-redis": "matchmaker API on Redis",
  "project-embedded": "matchmaker API, embedded",
  "bare-games": "bare Apollo Server 5 + express, same shape from an array",
  trivial: "trivial Apollo mutation",
  "trivial-jwt": "trivial Apollo mutation + jose HS256 verify per request",
};
export const serverLabel = (n: ServerName): string => (n.endsWith("@compare") ? `${LABEL[base(n)]} (compare build)` : LABEL[base(n)]);

export type HotPath = "games-redis" | "games-embedded" | "join-leave-redis" | "quickjoin-redis" | "enqueue-cancel-redis";
export const ALL_HOT_PATHS: readonly HotPath[] = ["games-redis", "games-embedded", "join-leave-redis", "quickjoin-redis", "enqueue-cancel-redis"];

interface PathSpec {
  title: string;
  project: ServerName;
  /** The ratio's denominator. */
  baseline: ServerName;
  /** Measured alongside, shown for scale. */
  also: ServerName[];
  goal: number;
  kind: "games" | "mutations";
}
const PATHS: Record<HotPath, PathSpec> = {
  "games-redis": { title: "games(first: 20) with players, 2,000 open games, Redis", project: "project-redis", baseline: "bare-games", also: [], goal: 0.7, kind: "games" },
  "games-embedded": { title: "games(first: 20) with players, 2,000 open games, embedded", project: "project-embedded", baseline: "bare-games", also: [], goal: 0.8, kind: "games" },
  "join-leave-redis": { title: "joinGame + leaveGame, Redis", project: "project-redis", baseline: "trivial", also: ["trivial-jwt"], goal: 0.75, kind: "mutations" },
  "quickjoin-redis": { title: "quickJoin + leaveGame, Redis", project: "project-redis", baseline: "trivial", also: ["trivial-jwt"], goal: 0.7, kind: "mutations" },
  "enqueue-cancel-redis": {
    title: "enqueueMatchTicket + cancelMatchTicket (the sample catalog's duos queue), Redis",
    project: "project-redis",
    baseline: "trivial",
    also: ["trivial-jwt"],
    goal: 0.7,
    kind: "mutations",
  },
};

export interface HotPathFigures {
  path: HotPath;
  title: string;
  /** Requests per second, median of the rounds, per server. */
  perSecond: Partial<Record<ServerName, number>>;
  /** The server process's CPU time (all threads) per request, median of the rounds: less moved by other load on the machine. */
  cpuUsPerRequest: Partial<Record<ServerName, number>>;
  /** The server process's peak RSS since it started, MB (after this path's rounds). */
  peakRssMb: Partial<Record<ServerName, number>>;
  /** Redis's main-thread CPU per request (servers on Redis): on a 2-core machine it is taken from the same cores. */
  redisUsPerRequest: Partial<Record<ServerName, number>>;
  project: ServerName;
  baseline: ServerName;
  ratio: number;
  /** The baseline's CPU per request over the project's: the throughput ratio if CPU were all that limited both. */
  cpuRatio: number;
  /** With a compare build: its project server's ratios to the same baseline, in the same rounds. */
  compareRatio?: number;
  compareCpuRatio?: number;
  goal: number;
  /** With BENCH_CPU_PROF: the profile of the project's server on this path. */
  profile?: { file: string; summary: ProfileSummary };
}

export interface HotPathsResult {
  concurrency: number;
  rounds: number;
  roundMs: number;
  games: number;
  figures: HotPathFigures[];
  /** With BENCH_CPU_PROF: the compare build's project servers; with BENCH_CPU_PROF_BASELINES, the baselines. */
  baselineProfiles: { server: ServerName; path: HotPath; file: string; summary: ProfileSummary }[];
}

interface Running {
  child: ChildProcess;
  url: string;
  gameIds: string[];
}

/** A bench server's answer over IPC ("cpu": its CPU time, µs, and peak RSS, KB, so far). */
type ServerReply = { ok: string; cpuUs?: number; maxRssKb?: number };

function send(child: ChildProcess, msg: object, reply: string): Promise<ServerReply> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`bench server exited (${code}) before ${reply}`));
    const onMessage = (m: Partial<ServerReply>) => {
      if (m.ok !== reply) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(m as ServerReply);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
    child.send(msg);
  });
}

async function startServer(script: string, kind: ServerKind, env: Record<string, string>, projectFlags: string[]): Promise<Running> {
  // NODE_ENV=production as the Docker image sets it: graphql-js checks every instanceof the slow way
  // without it. The project's server also gets the image's Node flags; the baselines run as their docs set them up.
  const execArgv = kind === "project" ? projectFlags : [];
  const child = fork(script, [kind], { env: { ...process.env, NODE_ENV: "production", ...env }, execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const ready = await new Promise<{ port: number; gameIds: string[] }>((resolve, reject) => {
    child.once("message", (m) => resolve(m as { port: number; gameIds: string[] }));
    child.once("exit", (code) => reject(new Error(`bench server ${kind} exited with ${code} at start-up`)));
  });
  return { child, url: `http://127.0.0.1:${ready.port}/graphql`, gameIds: ready.gameIds };
}

async function stopServer(s: Running): Promise<void> {
  const exited = new Promise((r) => s.child.once("exit", r));
  s.child.send({ cmd: "stop" });
  const timer = setTimeout(() => s.child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

const ADDRESSES = 1_000;
let nextAddress = 0;
/** The project trusts one proxy hop; requests spread over 1,000 client addresses, as a busy deployment's. */
const address = () => {
  const n = nextAddress++ % ADDRESSES;
  return `198.18.${n >> 8}.${n & 255}`;
};

/**
 * The project's hot paths against bare baselines measured in the same run: each server in its
 * own process, `concurrency` keep-alive loops from this one, interleaved rounds, medians.
 */
export async function hotPathsBench(opts: {
  paths: readonly HotPath[];
  rounds: number;
  roundMs: number;
  concurrency: number;
  games: number;
  /** Write CPU profiles of the project's server (one per path) here, and summarize them. */
  profileDir?: string;
  profileMs?: number;
  profileBaselines?: boolean;
  /**
   * Another build of the bench (its build/bench directory, e.g. of the code before a change):
   * its project servers are measured in the same rounds, so before and after share a run.
   */
  compareDir?: string;
}): Promise<HotPathsResult> {
  const specs = opts.paths.map((p) => [p, PATHS[p]] as const);
  const compared = (s: PathSpec): ServerName[] => (opts.compareDir ? [`${s.project as "project-redis" | "project-embedded"}@compare`] : []);
  const needed = new Set<ServerName>(specs.flatMap(([, s]) => [s.project, ...compared(s), s.baseline, ...s.also]));
  const redis = [...needed].some((n) => base(n) === "project-redis") ? await startRedisServer() : null;
  const redisInfo = redis ? new Redis(redis.url) : null;
  const servers = new Map<ServerName, Running>();
  const tokens = await Promise.all(
    Array.from({ length: opts.concurrency }, (_, i) => signToken({ sub: `bench${i}`, name: `Bench ${i}` }, { secret: BENCH_SECRET, issuer: null })),
  );
  const headers = (loop: number) => ({ authorization: `Bearer ${tokens[loop]}`, "x-forwarded-for": address() });
  try {
    for (const name of needed) {
      const env: Record<string, string> = { BENCH_GAMES: String(opts.games), ...(base(name) === "project-redis" ? { BENCH_REDIS_URL: redis!.url } : {}) };
      const script = name.endsWith("@compare") ? resolve(opts.compareDir!, "bench", "hot-paths-server.js") : SERVER;
      servers.set(name, await startServer(script, KIND[base(name)], env, imageNodeFlags(name.endsWith("@compare") ? "compare" : "main")));
    }
    const check = (what: string, r: { status: number; errors?: unknown[] }) => {
      if (r.errors || r.status !== 200) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.errors)}`);
    };
    /** One loop's operation on a server for a path, over `client`; resolves to the requests it made. */
    const op = (path: HotPath, name: ServerName, client: GraphqlClient): ((loop: number) => Promise<number>) => {
      const s = { ...servers.get(name)!, client };
      if (PATHS[path].kind === "games") {
        return async (loop) => {
          check("games", await s.client.post(GAMES_QUERY, headers(loop)));
          return 1;
        };
      }
      if (name === "trivial" || name === "trivial-jwt") {
        return async (loop) => {
          check("touch", await s.client.post(JSON.stringify({ query: TOUCH, variables: { id: `g${loop}` } }), headers(loop)));
          return 1;
        };
      }
      if (path === "join-leave-redis") {
        return async (loop) => {
          // One game per loop (200 of the 2,000, each with 1–4 of 8 seats taken).
          const variables = JSON.stringify({ id: s.gameIds[loop % s.gameIds.length] });
          check("joinGame", await s.client.post(`{"query":${JSON.stringify(JOIN)},"variables":${variables}}`, headers(loop)));
          check("leaveGame", await s.client.post(`{"query":${JSON.stringify(LEAVE)},"variables":${variables}}`, headers(loop)));
          return 2;
        };
      }
      if (path === "enqueue-cancel-redis") {
        return async (loop) => {
          const enqueued = await s.client.post(ENQUEUE, headers(loop));
          check("enqueueMatchTicket", enqueued);
          const id = (enqueued.data!.enqueueMatchTicket as { id: string }).id;
          check("cancelMatchTicket", await s.client.post(JSON.stringify({ query: CANCEL, variables: { id } }), headers(loop)));
          return 2;
        };
      }
      return async (loop) => {
        const joined = await s.client.post(QUICK_JOIN, headers(loop));
        check("quickJoin", joined);
        const id = (joined.data!.quickJoin as { id: string }).id;
        check("leaveGame", await s.client.post(JSON.stringify({ query: LEAVE, variables: { id } }), headers(loop)));
        return 2;
      };
    };
    /**
     * One round on one server: fresh connections each round, as a server closes keep-alive
     * connections left idle (5 s) while the other servers had their turn.
     */
    const round = async (path: HotPath, name: ServerName, ms: number): Promise<{ perSecond: number; cpuUsPerRequest: number; redisUsPerRequest: number | null; done: number; peakRssMb: number }> => {
      const { child, url } = servers.get(name)!;
      const client = graphqlClient(url, opts.concurrency);
      const onRedis = base(name) === "project-redis" ? redisInfo : null;
      try {
        // BENCH_STATS: which commands a request costs Redis (the round's command stats, per request).
        if (onRedis && process.env.BENCH_STATS) await onRedis.config("RESETSTAT");
        const redisBefore = onRedis ? await redisCpuSeconds(onRedis) : 0;
        const before = (await send(child, { cmd: "cpu" }, "cpu")).cpuUs!;
        const { perSecond, done } = await rate(opts.concurrency, ms, op(path, name, client));
        const end = await send(child, { cmd: "cpu" }, "cpu");
        const after = end.cpuUs!;
        const redisUsPerRequest = onRedis ? ((await redisCpuSeconds(onRedis)) - redisBefore) * 1e6 / done : null;
        if (onRedis && process.env.BENCH_STATS) console.log(`  ${path} on ${name}: Redis per request\n${perRequestStats(await onRedis.info("commandstats"), done)}`);
        return { perSecond, done, cpuUsPerRequest: (after - before) / done, redisUsPerRequest, peakRssMb: end.maxRssKb! / 1024 };
      } finally {
        client.close();
      }
    };
    const figures: HotPathFigures[] = [];
    for (const [path, spec] of specs) {
      const names = [spec.project, ...compared(spec), spec.baseline, ...spec.also];
      const runs = new Map(names.map((n) => [n, [] as number[]]));
      const cpu = new Map(names.map((n) => [n, [] as number[]]));
      const redisCpu = new Map(names.map((n) => [n, [] as number[]]));
      const peakRssMb: Partial<Record<ServerName, number>> = {};
      // Warm-up of each (JIT, connections, caches), not counted.
      for (const n of names) await round(path, n, Math.min(opts.roundMs, 2_000));
      for (let r = 0; r < opts.rounds; r++) {
        // Rotating which goes first, so none always runs on a warmer (or hotter) machine.
        for (let k = 0; k < names.length; k++) {
          const n = names[(k + r) % names.length]!;
          const one = await round(path, n, opts.roundMs);
          runs.get(n)!.push(one.perSecond);
          cpu.get(n)!.push(one.cpuUsPerRequest);
          peakRssMb[n] = Math.max(peakRssMb[n] ?? 0, one.peakRssMb);
          if (one.redisUsPerRequest !== null) redisCpu.get(n)!.push(one.redisUsPerRequest);
        }
      }
      const perSecond = Object.fromEntries(names.map((n) => [n, median(runs.get(n)!)]));
      const cpuUsPerRequest = Object.fromEntries(names.map((n) => [n, median(cpu.get(n)!)]));
      const redisUsPerRequest = Object.fromEntries(names.filter((n) => redisCpu.get(n)!.length > 0).map((n) => [n, median(redisCpu.get(n)!)]));
      const [compare] = compared(spec);
      figures.push({
        path,
        title: spec.title,
        perSecond,
        cpuUsPerRequest,
        peakRssMb,
        redisUsPerRequest,
        project: spec.project,
        baseline: spec.baseline,
        ratio: perSecond[spec.project]! / perSecond[spec.baseline]!,
        cpuRatio: cpuUsPerRequest[spec.baseline]! / cpuUsPerRequest[spec.project]!,
        ...(compare
          ? { compareRatio: perSecond[compare]! / perSecond[spec.baseline]!, compareCpuRatio: cpuUsPerRequest[spec.baseline]! / cpuUsPerRequest[compare]! }
          : {}),
        goal: spec.goal,
      });
    }
    const baselineProfiles: HotPathsResult["baselineProfiles"] = [];
    if (opts.profileDir) {
      mkdirSync(opts.profileDir, { recursive: true });
      const profileMs = opts.profileMs ?? 10_000;
      const profile = async (path: HotPath, name: ServerName, label: string) => {
        const s = servers.get(name)!;
        const file = join(opts.profileDir!, `${label}.cpuprofile`);
        await send(s.child, { cmd: "profile-start" }, "profile-start");
        const { done } = await round(path, name, profileMs);
        await send(s.child, { cmd: "profile-stop", file }, "profile-stop");
        const summary = summarizeProfile(file, done);
        writeFileSync(join(opts.profileDir!, `${label}.summary.json`), JSON.stringify(summary, null, 2));
        return { file, summary };
      };
      for (const f of figures) f.profile = await profile(f.path, f.project, f.path);
      for (const f of figures) {
        for (const name of compared(PATHS[f.path])) baselineProfiles.push({ server: name, path: f.path, ...(await profile(f.path, name, `${f.path}@compare`)) });
      }
      if (opts.profileBaselines) {
        for (const f of figures) {
          for (const name of [f.baseline, ...PATHS[f.path].also]) {
            if (baselineProfiles.some((b) => b.server === name)) continue;
            baselineProfiles.push({ server: name, path: f.path, ...(await profile(f.path, name, name)) });
          }
        }
      }
    }
    return { concurrency: opts.concurrency, rounds: opts.rounds, roundMs: opts.roundMs, games: opts.games, figures, baselineProfiles };
  } finally {
    for (const s of servers.values()) await stopServer(s).catch(() => s.child.kill("SIGKILL"));
    redisInfo?.disconnect();
    await redis?.stop();
  }
}

/** The table of the issue: the project's paths, their baselines, the ratios and goals. */
export function formatHotPaths(r: HotPathsResult): string {
  const n = (x: number) => Math.round(x).toLocaleString("en");
  const lines = [
    `hot paths vs bare baselines in the same run (each server its own process; ${r.concurrency} concurrent keep-alive clients; ` +
      `${r.rounds} interleaved rounds of ${(r.roundMs / 1_000).toFixed(0)} s, medians; requests/s, a join+leave, quickJoin+leave or enqueue+cancel pair is 2 requests; ` +
      `the CPU ratio is baseline CPU/request over the path's, less moved than throughput when other work shares the machine):`,
  ];
  for (const f of r.figures) {
    const verdict = f.ratio >= f.goal ? "" : " — below goal";
    const compare = f.compareRatio === undefined ? "" : `; compare build: ${n(f.perSecond[`${f.project as "project-redis"}@compare`]!)} req/s, ${f.compareRatio.toFixed(2)}×`;
    const also = PATHS[f.path].also.map((a) => `; ${serverLabel(a)}: ${n(f.perSecond[a]!)} req/s (${(f.perSecond[a]! / f.perSecond[f.baseline]!).toFixed(2)}× the baseline)`).join("");
    lines.push(
      `  ${f.title}: ${n(f.perSecond[f.project]!)} req/s; ${serverLabel(f.baseline)}: ${n(f.perSecond[f.baseline]!)} req/s: ` +
        `${f.ratio.toFixed(2)}× (goal ≥ ${f.goal}×)${verdict}${compare}${also}`,
    );
    const us = (name: ServerName) => `${n(f.cpuUsPerRequest[name]!)} µs`;
    const compareCpu = f.compareCpuRatio === undefined ? "" : `; compare build ${us(`${f.project as "project-redis"}@compare`)}, ${f.compareCpuRatio.toFixed(2)}×`;
    const alsoCpu = PATHS[f.path].also.map((a) => `; ${a} ${us(a)}`).join("");
    lines.push(`    server CPU per request (all its threads): ${us(f.project)}; baseline ${us(f.baseline)}: ${f.cpuRatio.toFixed(2)}× the baseline's cost${compareCpu}${alsoCpu}`);
    lines.push(`    peak RSS so far: ${Object.entries(f.peakRssMb).map(([name, mb]) => `${name} ${n(mb!)} MB`).join("; ")}`);
    const redisUs = Object.entries(f.redisUsPerRequest).map(([name, us]) => `${name === f.project ? "" : `${name}: `}${n(us)} µs`);
    if (redisUs.length > 0) lines.push(`    Redis main-thread CPU per request (same cores): ${redisUs.join("; ")}`);
  }
  for (const f of r.figures) if (f.profile) lines.push(`  CPU profile of the API process, ${f.title} (${f.profile.file}):`, formatSummary(f.profile.summary));
  for (const b of r.baselineProfiles) lines.push(`  CPU profile, ${serverLabel(b.server)}, ${PATHS[b.path].title} (${b.file}):`, formatSummary(b.summary));
  return lines.join("\n");
}

/** INFO commandstats as calls and µs per request, busiest first. */
function perRequestStats(info: string, requests: number): string {
  const rows = [...info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)].map(([, cmd, calls, usec]) => ({ cmd: cmd!, calls: Number(calls) / requests, us: Number(usec) / requests }));
  rows.sort((a, b) => b.us - a.us);
  return rows.map((r) => `    ${r.cmd.padEnd(14)} ${r.calls.toFixed(2)} calls, ${r.us.toFixed(1)} µs`).join("\n");
}
