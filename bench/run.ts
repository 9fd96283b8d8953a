import { writeFileSync } from "node:fs";
import { ALL_HOT_PATHS, formatHotPaths, type HotPath, hotPathsBench } from "./hot-paths.bench.js";
import { capacityBench } from "./capacity.bench.js";
import { limitsBench } from "./limits.bench.js";
import { quickJoinBench } from "./quickjoin.bench.js";
import { searchBench } from "./search.bench.js";
import { takeoverBench } from "./takeover.bench.js";
import { type Scenario, workerBench } from "./worker.bench.js";

const SECTIONS = ["worker", "takeover", "limits", "quickjoin", "search", "hot-paths", "capacity"] as const;

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
    const w = await workerBench({ entries, games, scenario });
    console.log(`  raw XREADGROUP + batched XACK: ${Math.round(w.rawPerSecond).toLocaleString("en")} entries/s`);
    console.log(`  matchmaker worker (apply + publish + ack): ${Math.round(w.workerPerSecond).toLocaleString("en")} events/s`);
    const target = scenario === "lifecycle" ? 0.36 : 0;
    console.log(`  ratio: ${w.ratio.toFixed(2)}× the raw loop${target ? ` (target ≥ ${target}×)${w.ratio >= target ? "" : " — below target"}` : ""}`);
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
  console.log("the same changes over 3 types on a 3-master cluster (each type's slot on its own master):");
  for (const m of c.cluster) console.log(`  master ${m.master}: ${m.changes.toLocaleString("en")} changes, ${m.redisCpuUs.toFixed(0)} µs of its CPU each`);
}

/**
 * The project's hot paths against bare Apollo baselines (issue 10). BENCH_HOT_PATHS (which
 * paths), BENCH_HOT_PATHS_ROUNDS, BENCH_HOT_PATHS_ROUND_MS, BENCH_HOT_PATHS_CONCURRENCY;
 * BENCH_CPU_PROF=DIR profiles the API process on each path (BENCH_CPU_PROF_MS each) and
 * BENCH_CPU_PROF_BASELINES=1 the baselines too. BENCH_COMPARE=DIR (another build/bench, e.g. a
 * copy made before a change) measures that build's API in the same rounds: before/after, one run.
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
