import { writeFileSync } from "node:fs";
import { ALL_HOT_PATHS, formatHotPaths, type HotPath, hotPathsBench } from "./hot-paths.bench.js";
import { capacityBench } from "./capacity.bench.js";
import { ALL_FANOUT_ROWS, type FanOutRowName, type FanOutSide, fanOutBench } from "./fanout.bench.js";
import { limitsBench } from "./limits.bench.js";
import { formatPeer, peerBench } from "./peer.bench.js";
import { quickJoinBench } from "./quickjoin.bench.js";
import { searchBench } from "./search.bench.js";
import { takeoverBench } from "./takeover.bench.js";
import { ticketsBench } from "./tickets.bench.js";
import { type Scenario, workerBench } from "./worker.bench.js";

const SECTIONS = ["worker", "takeover", "limits", "quickjoin", "search", "hot-paths", "capacity", "fan-out", "tickets", "peer"] as const;

/**
 * `npm run bench`: figures as ratios against a baseline measured in the same run.
 * BENCH_ONLY=hot-paths,limits (sections among SECTIONS) runs only those; BENCH_JSON=FILE
 * writes the hot-path figures as JSON.
 */
async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(",").map((s) => s.trim()) : [...SECTIONS];
  for (const s of only) if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`BENCH_ONLY: unknown section "${s}" (sections: ${SECTIONS.join(", ")})`);
  const runs = (section: (typeof SECTIONS)[number]) => only.includes(section);
  const entries = Number(process.env.BENCH_ENTRIES ?? 100_000);
  const games = Number(process.env.BENCH_GAMES ?? 1_000);
  const scenarios = (process.env.BENCH_SCENARIOS ?? "lifecycle,all-changes").split(",") as Scenario[];
  for (const scenario of runs("worker") ? scenarios : []) {
    console.log(`worker, ${scenario}: draining ${entries} stream entries across ${games} games…`);
    const w = await workerBench({ entries, games, scenario, profileDir: process.env.BENCH_CPU_PROF || undefined });
    console.log(`  raw XREADGROUP + batched XACK: ${Math.round(w.rawPerSecond).toLocaleString("en")} entries/s`);
    if (w.publishFloorPerSecond !== undefined) {
      console.log(
        `  raw loop + each entry's change (${w.changeBytes} bytes) published on its two channels, prebuilt (the most any worker publishing every change could do): ` +
          `${Math.round(w.publishFloorPerSecond).toLocaleString("en")} entries/s (${(w.publishFloorPerSecond / w.rawPerSecond).toFixed(2)}× the raw loop)`,
      );
    }
    console.log(`  matchmaker worker (apply + publish + ack): ${Math.round(w.workerPerSecond).toLocaleString("en")} events/s`);
    // The life-cycle mix's floor is the design before the lease; every-entry-a-change is issue 10's goal.
    const target = scenario === "lifecycle" ? 0.36 : 0.3;
    console.log(`  ratio: ${w.ratio.toFixed(2)}× the raw loop (target ≥ ${target}×)${w.ratio >= target ? "" : " — below target"}`);
  }
  const kills = Number(process.env.BENCH_TAKEOVER_KILLS ?? 10);
  if (kills > 0 && runs("takeover")) {
    const t = await takeoverBench({ kills });
    console.log(
      `worker takeover after SIGKILL of the active worker (two worker processes, WORKER_LEASE_MS=${t.leaseMs}), ` +
        `kill → an entry written right after it applied, over ${t.kills} kills: p50 ${(t.p50Ms / 1_000).toFixed(2)} s, max ${(t.maxMs / 1_000).toFixed(2)} s`,
    );
  }
  const limitRounds = Number(process.env.BENCH_LIMITS_ROUNDS ?? 7);
  if (limitRounds > 0 && runs("limits")) {
    const figures = await limitsBench({ rounds: limitRounds, roundMs: Number(process.env.BENCH_LIMITS_ROUND_MS ?? 3_000), concurrency: 32, games: 2_000 });
    console.log("abuse limits on the normal path (query limits, shipped per-address budgets over 1,000 addresses, per-player budgets, live-games cap) vs none, Redis, 32 clients:");
    for (const f of figures) {
      const verdict = f.ratio >= 0.9 ? "" : " — below target";
      console.log(
        `  ${f.path}: ${Math.round(f.onPerSecond).toLocaleString("en")}/s with limits, ${Math.round(f.offPerSecond).toLocaleString("en")}/s without: ` +
          `${f.ratio.toFixed(2)}× (target ≥ 0.9×)${verdict}`,
      );
    }
  }
  const sizes = (process.env.BENCH_LOBBY_SIZES ?? "100,10000,100000").split(",").map(Number);
  if (runs("hot-paths")) await hotPaths();
  if (runs("quickjoin")) await quickJoin(sizes);
  if (runs("search")) await search(sizes);
  if (runs("capacity")) await capacity();
  if (runs("fan-out")) await fanOut();
  if (runs("tickets")) await tickets();
  if (runs("peer")) await peer();
}

/** Colyseus's joinOrCreate next to quickJoin (issue 10's peer row): latency by rooms listed, and a two-process race. */
async function peer(): Promise<void> {
  const sizes = (process.env.BENCH_PEER_ROOMS ?? "100,1000,10000").split(",").map(Number);
  const r = await peerBench({ sizes, calls: Number(process.env.BENCH_PEER_CALLS ?? 200), joiners: 200, capacity: 4, processes: 2 });
  console.log(formatPeer(r));
}

/** The ticket matcher on Redis (issue goal: ≥ 10,000 tickets matched per second) and the pure tick's cost by pool size. */
async function tickets(): Promise<void> {
  const n = Number(process.env.BENCH_TICKETS ?? 100_000);
  console.log(`ticket matcher, ${n.toLocaleString("en")} 1v1 tickets (ratings normal 1500 ± 300, window ±50 + 25/s up to ±400) matched in process on Redis:`);
  const r = await ticketsBench({ tickets: n, profileDir: process.env.BENCH_CPU_PROF || undefined });
  const goal = 10_000;
  console.log(
    `  ${Math.round(r.matchedPerSecond).toLocaleString("en")} tickets matched/s (goal ≥ ${goal.toLocaleString("en")}/s)${r.matchedPerSecond >= goal ? "" : " — below goal"}; ` +
      `${r.matched.toLocaleString("en")} matched, ${r.timedOut} timed out, over ${r.ticks} ticks; ticks to match p50 ${r.ticksToMatch.p50}, p99 ${r.ticksToMatch.p99}`,
  );
  const base = r.perTick[0]!;
  for (const t of r.perTick) {
    const growth = t.ms / base.ms;
    const bound = (t.seeds * Math.log2(t.waiting)) / (base.seeds * Math.log2(base.waiting));
    console.log(
      `  one tick at ${t.waiting.toLocaleString("en")} waiting: ${t.ms.toFixed(2)} ms for ${t.seeds} seeds (${t.examinedPerSeed.toFixed(1)} candidates/seed); ` +
        `${growth.toFixed(2)}× the 1k tick (seeds × log N allows ${bound.toFixed(2)}×)${growth <= bound * 1.5 ? "" : " — grows faster than seeds × log N"}`,
    );
  }
}

/** One Redis master's ceiling (its own CPU per operation) and a 3-master cluster splitting the load by type (issue 10). */
async function capacity(): Promise<void> {
  const c = await capacityBench({ ms: Number(process.env.BENCH_CAPACITY_MS ?? 5_000), concurrency: 64 });
  const row = (what: string, f: { redisCpuUs: number; ceilingPerSecond: number; measuredPerSecond: number }) =>
    console.log(
      `  ${what}: ${f.redisCpuUs.toFixed(0)} µs of Redis CPU each → one master's ceiling ≈ ${Math.round(f.ceilingPerSecond).toLocaleString("en")}/s ` +
        `(measured here ${Math.round(f.measuredPerSecond).toLocaleString("en")}/s, the clients' CPU being the limit on 2 cores)`,
    );
  console.log("capacity of one Redis master (one game type = one slot = one master):");
  row("quickJoin + leaveGame pair", c.quickJoinPair);
  row("stream change (metadata event applied)", c.change);
  console.log(`the same changes over 3 types on a 3-master cluster (each type's slot on its own master), ${Math.round(c.clusterPerSecond).toLocaleString("en")} changes/s in all:`);
  for (const m of c.cluster) console.log(`  master ${m.master}: ${m.changes.toLocaleString("en")} changes, ${m.redisCpuUs.toFixed(0)} µs of its CPU each`);
}

/**
 * The project's hot paths against bare Apollo baselines (issue 10). BENCH_HOT_PATHS (which
 * paths), BENCH_HOT_PATHS_ROUNDS, BENCH_HOT_PATHS_ROUND_MS, BENCH_HOT_PATHS_CONCURRENCY;
 * BENCH_CPU_PROF=DIR profiles the API process on each path (BENCH_CPU_PROF_MS each) and
 * BENCH_CPU_PROF_BASELINES=1 the baselines too. BENCH_COMPARE=DIR (another build/bench, e.g. a
 * copy made before a change) measures that build's API in the same rounds: before/after, one run;
 * BENCH_COMPARE_NODE_FLAGS gives the compare build other Node flags than the Docker image's (e.g.
 * "" for none). BENCH_STATS=1 prints Redis's command stats per request of each round.
 */
async function hotPaths(): Promise<void> {
  const paths = (process.env.BENCH_HOT_PATHS ? process.env.BENCH_HOT_PATHS.split(",") : ALL_HOT_PATHS) as HotPath[];
  for (const p of paths) if (!ALL_HOT_PATHS.includes(p)) throw new Error(`BENCH_HOT_PATHS: unknown path "${p}" (paths: ${ALL_HOT_PATHS.join(", ")})`);
  const result = await hotPathsBench({
    paths,
    rounds: Number(process.env.BENCH_HOT_PATHS_ROUNDS ?? 5),
    roundMs: Number(process.env.BENCH_HOT_PATHS_ROUND_MS ?? 3_000),
    concurrency: Number(process.env.BENCH_HOT_PATHS_CONCURRENCY ?? 200),
    games: 2_000,
    profileDir: process.env.BENCH_CPU_PROF || undefined,
    profileMs: Number(process.env.BENCH_CPU_PROF_MS ?? 10_000),
    profileBaselines: process.env.BENCH_CPU_PROF_BASELINES === "1",
    compareDir: process.env.BENCH_COMPARE || undefined,
  });
  console.log(formatHotPaths(result));
  if (process.env.BENCH_JSON) {
    const { figures, ...rest } = result;
    const json = { hotPaths: { ...rest, figures: figures.map(({ profile, ...f }) => ({ ...f, profile: profile ? { file: profile.file, categories: profile.summary.categories } : undefined })) } };
    writeFileSync(process.env.BENCH_JSON, JSON.stringify(json, null, 2) + "\n");
  }
}

/**
 * Subscription fan-out (gameChanged of one game type over graphql-ws) against a bare `ws`
 * server broadcasting frames of the same size to the same raw-ws clients, in the same run.
 * BENCH_FANOUT_ROWS (saturation, 1k, 10k, idle), BENCH_FANOUT_MS (steady window),
 * BENCH_FANOUT_WARMUP_MS, BENCH_FANOUT_DRAIN_MS (how long below-saturation rows wait for late
 * frames before counting them missed), BENCH_FANOUT_CLIENT_PROCS (processes the subscribers are
 * split over), BENCH_FANOUT_ROUNDS (interleaved rounds of the saturation row, medians),
 * BENCH_FANOUT_REDIS=1 (the project on a private Redis instead of embedded).
 */
async function fanOut(): Promise<void> {
  const rows = (process.env.BENCH_FANOUT_ROWS ? process.env.BENCH_FANOUT_ROWS.split(",").map((s) => s.trim()) : ALL_FANOUT_ROWS) as FanOutRowName[];
  for (const r of rows) if (!ALL_FANOUT_ROWS.includes(r)) throw new Error(`BENCH_FANOUT_ROWS: unknown row "${r}" (rows: ${ALL_FANOUT_ROWS.join(", ")})`);
  // One client process (it holds 10,000 sockets within `ulimit -n` 20,000): on 2 cores the bare
  // server takes one core and the clients the other. Bare ws at saturation measured 60–80k
  // frames/s with 1 and 45–54k with 2 (the second process only adds contention).
  const clientProcs = Number(process.env.BENCH_FANOUT_CLIENT_PROCS ?? 1);
  if (!Number.isInteger(clientProcs) || clientProcs < 1) throw new Error(`BENCH_FANOUT_CLIENT_PROCS: a whole number ≥ 1, not "${process.env.BENCH_FANOUT_CLIENT_PROCS}"`);
  const f = await fanOutBench({
    rows,
    windowMs: Number(process.env.BENCH_FANOUT_MS ?? 5_000),
    warmupMs: Number(process.env.BENCH_FANOUT_WARMUP_MS ?? 2_000),
    drainMs: Number(process.env.BENCH_FANOUT_DRAIN_MS ?? 5_000),
    clientProcs,
    rounds: Number(process.env.BENCH_FANOUT_ROUNDS ?? 3),
    redis: process.env.BENCH_FANOUT_REDIS === "1",
  });
  const n = (x: number) => Math.round(x).toLocaleString("en");
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const cpu = (s: FanOutSide) => `server CPU ${s.serverCpu.toFixed(0)}%, clients CPU ${s.clientCpu.toFixed(0)}%`;
  const odd = (s: FanOutSide) =>
    [...(s.failedChanges ? [`${s.failedChanges} changes failed (${s.failures.join(" | ")})`] : []), ...s.oddities].map((o) => `; ${o}`).join("");
  console.log(
    `subscription fan-out, gameChanged(gameType) over graphql-ws (${f.mode}) vs bare ws broadcasting equally sized frames, ` +
      `raw ws clients in ${f.clientProcs} process${f.clientProcs === 1 ? "" : "es"}, ${f.windowMs / 1_000} s window after ${f.warmupMs / 1_000} s warm-up:`,
  );
  for (const r of f.rows) {
    const { project: p, bare: b } = r;
    const who = `${n(r.subscribers)} subscribers`;
    if (r.measure === "throughput") {
      const ratio = p.framesPerSecond / b.framesPerSecond;
      console.log(
        `  saturation, ${who} × ${r.rate} changes/s (frames of ${p.frameBytes} bytes, bare ws ${b.frameBytes}): ` +
          `project ${n(p.framesPerSecond)} frames/s (${n(p.changesPerSecond)} changes/s applied), bare ws ${n(b.framesPerSecond)} frames/s: ` +
          `${ratio.toFixed(2)}× (target ≥ 0.5×)${ratio >= 0.5 ? "" : " — below target"}`,
      );
      if (r.rounds.project.length > 1) console.log(`    median of ${r.rounds.project.length} rounds: project ${r.rounds.project.map(n).join(", ")}; bare ws ${r.rounds.bare.map(n).join(", ")} frames/s`);
      console.log(`    project: ${cpu(p)}${odd(p)}; bare ws: ${cpu(b)}${odd(b)}`);
    } else if (r.measure === "latency") {
      const goal = r.subscribers >= 10_000 ? 250 : 100;
      const verdict = p.p99Ms < goal && p.missed === 0 ? "" : " — below target";
      console.log(
        `  ${who} × ${r.rate} changes/s (frames of ${p.frameBytes} bytes, bare ws ${b.frameBytes}), mutation → frame: ` +
          `project p50 ${ms(p.p50Ms)}, p99 ${ms(p.p99Ms)}, max ${ms(p.maxMs)}, missed ${n(p.missed)} of ${n(p.expected)} ` +
          `(target p99 < ${goal} ms, missed 0)${verdict}; ` +
          `bare ws p50 ${ms(b.p50Ms)}, p99 ${ms(b.p99Ms)}, max ${ms(b.maxMs)}, missed ${n(b.missed)} of ${n(b.expected)}`,
      );
      console.log(`    project: ${n(p.framesPerSecond)} frames/s, ${cpu(p)}${odd(p)}; bare ws: ${n(b.framesPerSecond)} frames/s, ${cpu(b)}${odd(b)}`);
    } else {
      const verdict = p.rssKbPerConnection <= 20 ? "" : " — below target";
      console.log(
        `  ${n(r.subscribers)} idle subscribed connections, server RSS growth (after GC) per connection: ` +
          `project ${p.rssKbPerConnection.toFixed(1)} KB (heap ${p.heapKbPerConnection.toFixed(1)} KB) (target ≤ 20 KB)${verdict}, ` +
          `bare ws ${b.rssKbPerConnection.toFixed(1)} KB (heap ${b.heapKbPerConnection.toFixed(1)} KB); ` +
          `connected and subscribed in ${(p.connectMs / 1_000).toFixed(1)} s (bare ws ${(b.connectMs / 1_000).toFixed(1)} s)`,
      );
    }
  }
}

async function quickJoin(sizes: number[]): Promise<void> {
  const q = await quickJoinBench({ sizes, calls: Number(process.env.BENCH_QUICKJOIN_CALLS ?? 2_000), concurrency: 32 });
  console.log(`quickJoin on Redis through the GameService (each undone by leaveGame; ${q.concurrency} in flight for throughput):`);
  for (const r of q.rows) {
    const base = q.rows.find((b) => b.games === r.games && b.scenario.startsWith("baseline"))!;
    const ratio = r === base ? "" : `, ${(r.pairsPerSecond / base.pairsPerSecond).toFixed(2)}× the baseline`;
    console.log(
      `  ${r.games.toLocaleString("en")} open games, ${r.scenario}: p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ` +
        `${Math.round(r.pairsPerSecond).toLocaleString("en")} pairs/s${ratio}`,
    );
  }
}

async function search(sizes: number[]): Promise<void> {
  const search = await searchBench({ sizes, calls: Number(process.env.BENCH_SEARCH_CALLS ?? 200) });
  console.log("games(filter) on Redis, store.list pages of 20 (open public party-quiz games; eu, OPEN, ≥ 1 free seat):");
  for (const r of search) {
    const figures = Object.entries(r.latency).map(([q, l]) => `${q}: p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms`);
    console.log(`  ${r.games.toLocaleString("en")} games (Redis ${r.redisMemoryMb.toFixed(0)} MB): ${figures.join("; ")}`);
  }
  const [small, large] = [search[0]!, search.at(-1)!];
  const middle = search.length > 2 ? search.at(-2)! : null;
  for (const q of Object.keys(small.latency)) {
    const ratio = large.latency[q]!.p50 / small.latency[q]!.p50;
    const verdict = ratio <= 3 ? "" : " — above target";
    // Once a page fills (10k games and up) the cost should not move at all.
    const full = middle ? `; ${(large.latency[q]!.p50 / middle.latency[q]!.p50).toFixed(2)}× the ${middle.games.toLocaleString("en")}-game p50` : "";
    console.log(`  ${q}: p50 at ${large.games.toLocaleString("en")} games is ${ratio.toFixed(2)}× the ${small.games.toLocaleString("en")}-game p50 (target ≤ 3×, flat)${verdict}${full}`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
