/**
 * `matchmaker simulate`: replays one catalog queue against arrivals and prints the report.
 *
 *   matchmaker simulate --queue ranked-1v1 --arrivals 5              # 5 tickets a second
 *   matchmaker simulate --queue ranked-1v1 --arrivals arrivals.yaml  # [{ atMs, rating?, players?, latencies? }]
 *
 * The catalog is the one the server would load (MATCHMAKER_GAME_TYPES, else the sample).
 * Kept out of cli.ts so it can be tested without starting a process.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { loadCatalog } from "./config/catalog.js";
import type { QueueConfig } from "./domain/tickets/queue.js";
import { type ArrivalSpec, simulate } from "./domain/tickets/simulate.js";
import { formatSimulationReport } from "./domain/tickets/simulate-report.js";

export const SIMULATE_USAGE =
  "simulate --queue <id> --arrivals <file|tickets per second> [--type <game type>] [--duration <ms, default 600000>]\n" +
  "             [--parties 1:6,2:2,5:1 (size:weight)] [--rating 1500:300 (mean:sd)] [--seed 1] [--tick 1000]";

const arrivalsFile = z.array(
  z.strictObject({
    atMs: z.number().min(0),
    rating: z.number().optional(),
    players: z.number().int().min(1).max(100).optional(),
    latencies: z.record(z.string(), z.number().min(0)).optional(),
  }),
);

/**
 * Runs the command with `args` (after `simulate`) against the catalog at `catalogPath` and
 * returns the report text.
 *
 * @throws Error with a one-line message for a usage mistake, an unknown queue (naming the known
 *   ones) or an unreadable / invalid arrivals file; ConfigError for an invalid catalog.
 */
export function simulateCommand(args: string[], catalogPath: string): string {
  const { values } = parseArgs({
    args,
    options: {
      queue: { type: "string" },
      type: { type: "string" },
      arrivals: { type: "string" },
      duration: { type: "string", default: "600000" },
      seed: { type: "string", default: "1" },
      tick: { type: "string", default: "1000" },
      parties: { type: "string", default: "1:1" },
      rating: { type: "string", default: "1500:300" },
    },
  });
  if (!values.queue || !values.arrivals) throw new Error(`usage: matchmaker ${SIMULATE_USAGE}`);
  const queue = findQueue(catalogPath, values.queue, values.type);
  const number = (name: string, text: string, min: number): number => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min} (got "${text}")`);
    return n;
  };
  const arrivals = /^\d+(\.\d+)?$/.test(values.arrivals)
    ? { ratePerSecond: number("arrivals", values.arrivals, Number.MIN_VALUE), durationMs: number("duration", values.duration, 1) }
    : readArrivals(values.arrivals);
  const pairs = (name: string, text: string): [number, number][] =>
    text.split(",").map((pair) => {
      const [a, b, extra] = pair.split(":");
      if (a === undefined || b === undefined || extra !== undefined) throw new Error(`--${name} takes a:b pairs separated by commas (got "${text}")`);
      return [number(name, a, 0), number(name, b, 0)];
    });
  const rating = pairs("rating", values.rating);
  if (rating.length !== 1) throw new Error(`--rating takes one mean:sd (got "${values.rating}")`);
  const [[mean, sd]] = rating as [[number, number]];
  const result = simulate({
    queue,
    arrivals,
    partySizes: Object.fromEntries(pairs("parties", values.parties)),
    ratingDistribution: { mean, sd },
    seed: number("seed", values.seed, 0),
    tickMs: number("tick", values.tick, 1),
  });
  return formatSimulationReport(result);
}

function findQueue(catalogPath: string, id: string, typeId: string | undefined): QueueConfig {
  const catalog = loadCatalog(catalogPath);
  const types = typeId === undefined ? catalog.types : catalog.types.filter((t) => t.id === typeId);
  if (typeId !== undefined && types.length === 0) throw new Error(`no game type "${typeId}" in ${catalogPath}`);
  const found = types.flatMap((t) => (t.queues ?? []).filter((q) => q.id === id).map((q) => ({ type: t.id, q })));
  if (found.length > 1) throw new Error(`queue "${id}" is in several game types (${found.map((f) => f.type).join(", ")}): add --type`);
  if (found.length === 0) {
    const known = types.flatMap((t) => (t.queues ?? []).map((q) => `${t.id}/${q.id}`));
    throw new Error(`no queue "${id}" in ${catalogPath}; known queues: ${known.length > 0 ? known.join(", ") : "none"}`);
  }
  return found[0]!.q;
}

function readArrivals(path: string): ArrivalSpec[] {
  let data: unknown;
  try {
    data = parseYaml(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`cannot read arrivals from ${path}: ${(err as Error).message.split("\n")[0]}`);
  }
  const parsed = arrivalsFile.safeParse(data);
  if (!parsed.success) {
    const iss = parsed.error.issues[0]!;
    throw new Error(`${path}: expected a list of { atMs, rating?, players?, latencies? }: ${iss.path.join(".") || "(top level)"}: ${iss.message}`);
  }
  return parsed.data;
}
