import { type Scenario, workerBench } from "./worker.bench.js";

/** `npm run bench`: figures as ratios against a baseline measured in the same run. */
async function main(): Promise<void> {
  const entries = Number(process.env.BENCH_ENTRIES ?? 100_000);
  const games = Number(process.env.BENCH_GAMES ?? 1_000);
  const scenarios = (process.env.BENCH_SCENARIOS ?? "lifecycle,all-changes").split(",") as Scenario[];
  for (const scenario of scenarios) {
    console.log(`worker, ${scenario}: draining ${entries} stream entries across ${games} games…`);
    const w = await workerBench({ entries, games, scenario });
    console.log(`  raw XREADGROUP + batched XACK: ${Math.round(w.rawPerSecond).toLocaleString("en")} entries/s`);
    console.log(`  matchmaker worker (apply + publish + ack): ${Math.round(w.workerPerSecond).toLocaleString("en")} events/s`);
    console.log(`  ratio: ${w.ratio.toFixed(2)}× the raw loop (target ≥ 0.35×)${w.ratio >= 0.35 ? "" : " — below target"}`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
