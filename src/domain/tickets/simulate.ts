/**
 * Replays a queue against synthetic or recorded arrivals with the production `tick`, on an
 * injected clock and a seeded PRNG: no wall time, no I/O, the same input gives the same report.
 * Every proposal is taken as committed (no races), so it measures the matcher's own choices:
 * waits, match quality, timeouts, and whether the seed round-robin kept its bound.
 */
import { type Percentiles, percentiles } from "../percentiles.js";
import { tick } from "./matcher.js";
import { TicketPool } from "./pool.js";
import { exponential, mulberry32, normal, type Random } from "./prng.js";
import { type QueueConfig, TIMEOUT_REASONS, TimeoutReason } from "./queue.js";
import { type Ticket, validateTicket } from "./ticket.js";

/** One recorded arrival; what it leaves out is drawn like a generated one. */
export interface ArrivalSpec {
  /** Ms from the start of the simulation. */
  readonly atMs: number;
  readonly rating?: number;
  /** Party size (default: drawn from partySizes). */
  readonly players?: number;
  readonly latencies?: Readonly<Record<string, number>>;
}

export interface SimulationInput {
  readonly queue: QueueConfig;
  /** A Poisson process of `ratePerSecond` for `durationMs`, or a list of arrivals. */
  readonly arrivals: { readonly ratePerSecond: number; readonly durationMs: number } | readonly ArrivalSpec[];
  /** Default normal, mean 1500, sd 300 (rounded to integers). */
  readonly ratingDistribution?: { readonly mean: number; readonly sd: number };
  /** Party size → relative weight; default solos only. */
  readonly partySizes?: Readonly<Record<number, number>>;
  /** Regions latencies are drawn for when the queue has a region rule (default eu, us, asia). */
  readonly regions?: readonly string[];
  readonly tickMs?: number;
  readonly seed?: number;
}

export interface SimulationResult {
  readonly queueId: string;
  readonly seed: number;
  readonly tickMs: number;
  readonly ticks: number;
  /** Tickets that arrived, and those refused at enqueue (validateTicket) by reason. */
  readonly tickets: number;
  readonly rejected: Readonly<Record<string, number>>;
  readonly matches: number;
  readonly matchedTickets: number;
  /** Wait of each matched ticket, from enqueuedAt to the tick that matched it. */
  readonly waitMs: Percentiles;
  readonly ratingSpread: Percentiles;
  readonly teamDifference: Percentiles;
  readonly timeouts: Readonly<Record<TimeoutReason, number>>;
  readonly starvation: {
    /** Times a ticket was not a seed within ⌈N / seedsPerTick⌉ ticks of becoming due (should be 0). */
    readonly lateSeeds: number;
    /** Tickets still searching more than maxWaitMs + one tick after enqueuing (should be 0). */
    readonly pastMaxWait: number;
  };
  readonly examined: { readonly total: number; readonly maxPerTick: number };
}

const DEFAULT_REGIONS = ["eu", "us", "asia"];

/**
 * Runs the simulation until every ticket is matched or timed out. Deterministic for a given
 * input (seed included).
 *
 * @throws RangeError for a non-positive tickMs or arrival rate.
 */
export function simulate(input: SimulationInput): SimulationResult {
  const { queue } = input;
  const tickMs = input.tickMs ?? 1_000;
  const seed = input.seed ?? 1;
  if (!(tickMs > 0)) throw new RangeError("tickMs must be > 0");
  const random = mulberry32(seed);
  const arrivals = arrivalList(input, random);
  const pool = new TicketPool();
  const rejected: Record<string, number> = {};
  const timeouts = Object.fromEntries(TIMEOUT_REASONS.map((r) => [r, 0])) as Record<TimeoutReason, number>;
  const waits: number[] = [];
  const spreads: number[] = [];
  const differences: number[] = [];
  const seeds = new SeedWatch(queue.seedsPerTick);
  let [matches, pastMaxWait, examined, maxExamined, next, k] = [0, 0, 0, 0, 0, 0];
  const lastArrival = arrivals.at(-1)?.atMs ?? 0;
  const maxTicks = Math.ceil((lastArrival + queue.maxWaitMs) / tickMs) + 2;

  const live = new Map<string, number>(); // id → enqueuedAt of every ticket still searching
  while ((next < arrivals.length || pool.size > 0) && k < maxTicks) {
    // An empty pool has nothing to tick: skip to the tick that sees the next arrival (recorded
    // arrivals may be far apart, or stamped in epoch ms).
    if (pool.size === 0) k = Math.max(k, Math.ceil(arrivals[next]!.atMs / tickMs) - 1);
    const now = (k + 1) * tickMs;
    const added: string[] = [];
    for (; next < arrivals.length && arrivals[next]!.atMs <= now; next++) {
      const ticket = toTicket(input, arrivals[next]!, next, random);
      const check = validateTicket(queue, ticket);
      if (!check.ok) {
        rejected[check.reason] = (rejected[check.reason] ?? 0) + 1;
        continue;
      }
      pool.add(ticket);
      live.set(ticket.id, ticket.enqueuedAt);
      added.push(ticket.id);
    }
    seeds.tickStarts(k, pool, added);
    const result = tick(pool, queue, now);
    examined += result.examined;
    maxExamined = Math.max(maxExamined, result.examined);
    const gone = (id: string): number => {
      const at = live.get(id)!;
      live.delete(id);
      seeds.removed(id);
      if (now - at > queue.maxWaitMs + tickMs) pastMaxWait++;
      return now - at;
    };
    for (const m of result.matches) {
      matches++;
      spreads.push(m.ratingSpread);
      differences.push(m.teamDifference);
      for (const t of m.tickets) waits.push(gone(t.id));
    }
    for (const t of result.timedOut) {
      timeouts[t.reason]++;
      gone(t.id);
    }
    seeds.tickEnds(k, result.seeds, pool);
    k++;
  }
  // Only if maxTicks cut the run short (it should not): whoever is left counts as waiting too long.
  for (const at of live.values()) if (k * tickMs - at > queue.maxWaitMs + tickMs) pastMaxWait++;

  return {
    queueId: queue.id,
    seed,
    tickMs,
    ticks: k,
    tickets: arrivals.length,
    rejected,
    matches,
    matchedTickets: waits.length,
    waitMs: percentiles(waits),
    ratingSpread: percentiles(spreads),
    teamDifference: percentiles(differences),
    timeouts,
    starvation: { lateSeeds: seeds.late, pastMaxWait },
    examined: { total: examined, maxPerTick: maxExamined },
  };
}

function arrivalList(input: SimulationInput, random: Random): ArrivalSpec[] {
  if (Array.isArray(input.arrivals)) {
    return [...(input.arrivals as readonly ArrivalSpec[])].sort((a, b) => a.atMs - b.atMs); // stable: ties keep file order
  }
  const { ratePerSecond, durationMs } = input.arrivals as { ratePerSecond: number; durationMs: number };
  if (!(ratePerSecond > 0)) throw new RangeError("arrivals.ratePerSecond must be > 0");
  const out: ArrivalSpec[] = [];
  for (let t = exponential(random, ratePerSecond / 1_000); t < durationMs; t += exponential(random, ratePerSecond / 1_000)) {
    out.push({ atMs: Math.floor(t) });
  }
  return out;
}

function toTicket(input: SimulationInput, a: ArrivalSpec, n: number, random: Random): Ticket {
  const dist = input.ratingDistribution ?? { mean: 1500, sd: 300 };
  const rating = a.rating ?? Math.round(normal(random, dist.mean, dist.sd));
  const players = a.players ?? pickPartySize(input.partySizes ?? { 1: 1 }, random);
  const id = `t${n}`;
  const latencies = a.latencies ?? (input.queue.region ? drawLatencies(input.regions ?? DEFAULT_REGIONS, random) : undefined);
  return {
    id,
    version: 1,
    playerIds: Array.from({ length: players }, (_, j) => `${id}-p${j}`),
    rating,
    ...(latencies ? { latencies } : {}),
    enqueuedAt: Math.floor(a.atMs),
  };
}

function pickPartySize(weights: Readonly<Record<number, number>>, random: Random): number {
  const sizes = Object.entries(weights).map(([s, w]) => [Number(s), w] as const).filter(([, w]) => w > 0);
  const total = sizes.reduce((s, [, w]) => s + w, 0);
  let x = random() * total;
  for (const [size, w] of sizes) if ((x -= w) < 0) return size;
  return sizes.at(-1)?.[0] ?? 1;
}

/** A player near one home region (≈30 ms) and further from the rest (≈120 ms). */
function drawLatencies(regions: readonly string[], random: Random): Record<string, number> {
  const home = Math.floor(random() * regions.length);
  return Object.fromEntries(
    regions.map((r, i) => [r, Math.round(i === home ? Math.max(5, normal(random, 30, 10)) : Math.max(40, normal(random, 120, 40)))]),
  );
}

/**
 * Checks the round-robin bound from outside: a ticket due from the start of tick k, when the
 * pool holds N tickets, must be a seed (or gone) by tick k + ⌈N / S⌉ − 1.
 */
class SeedWatch {
  late = 0;
  private pending: string[] = [];
  private readonly deadline = new Map<string, number>();
  private readonly due = new Map<number, Set<string>>();
  constructor(private readonly perTick: number) {}

  tickStarts(k: number, pool: TicketPool, added: readonly string[]): void {
    const bound = k + Math.ceil(pool.size / this.perTick) - 1;
    for (const id of [...this.pending, ...added]) {
      if (!pool.has(id) || this.deadline.has(id)) continue;
      this.deadline.set(id, bound);
      if (!this.due.has(bound)) this.due.set(bound, new Set());
      this.due.get(bound)!.add(id);
    }
    this.pending = [];
  }

  removed(id: string): void {
    const d = this.deadline.get(id);
    if (d !== undefined) this.due.get(d)?.delete(id);
    this.deadline.delete(id);
  }

  tickEnds(k: number, seeds: readonly string[], pool: TicketPool): void {
    for (const id of seeds) {
      this.removed(id);
      if (pool.has(id)) this.pending.push(id);
    }
    const overdue = this.due.get(k);
    if (overdue) {
      this.late += overdue.size;
      for (const id of overdue) this.deadline.delete(id);
      this.pending.push(...overdue);
      this.due.delete(k);
    }
  }
}
