import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { simulateCommand } from "../../src/cli-simulate.js";
import { parseQueue } from "../../src/config/catalog-queues.js";
import { TIMEOUT_REASONS } from "../../src/domain/tickets/queue.js";
import { percentiles } from "../../src/domain/percentiles.js";
import { simulate } from "../../src/domain/tickets/simulate.js";
import { formatSimulationReport } from "../../src/domain/tickets/simulate-report.js";
import { configError } from "../support/throws.js";

const ranked = (initialWindow: number, maxWindow: number) =>
  parseQueue({
    id: "ranked",
    teams: { count: 2, size: 1 },
    rating: { initialWindow, expansion: { kind: "linear", perSecond: 5 }, maxWindow },
    maxWaitMs: 60_000,
  });

const totalTimeouts = (r: ReturnType<typeof simulate>) => TIMEOUT_REASONS.reduce((s, k) => s + r.timeouts[k], 0);

describe("simulate", () => {
  const arrivals = { ratePerSecond: 0.5, durationMs: 300_000 };

  it("is deterministic: the same seed gives the identical report, another seed another", () => {
    const a = simulate({ queue: ranked(20, 200), arrivals, seed: 42 });
    expect(simulate({ queue: ranked(20, 200), arrivals, seed: 42 })).toEqual(a);
    expect(formatSimulationReport(simulate({ queue: ranked(20, 200), arrivals, seed: 42 }))).toBe(formatSimulationReport(a));
    expect(simulate({ queue: ranked(20, 200), arrivals, seed: 43 })).not.toEqual(a);
  });

  it("accounts for every ticket, keeps the seed bound and maxWait, and wider windows time out fewer", () => {
    const narrow = simulate({ queue: ranked(5, 5), arrivals, seed: 7 });
    const wide = simulate({ queue: ranked(100, 1_000), arrivals, seed: 7 });
    for (const r of [narrow, wide]) {
      expect(r.matchedTickets + totalTimeouts(r)).toBe(r.tickets);
      expect(r.starvation).toEqual({ lateSeeds: 0, pastMaxWait: 0 });
      expect(r.waitMs.max).toBeLessThanOrEqual(60_000 + 1_000);
    }
    expect(narrow.tickets).toBeGreaterThan(100);
    expect(totalTimeouts(wide)).toBeLessThan(totalTimeouts(narrow));
    expect(narrow.timeouts.no_one_within_window).toBeGreaterThan(0);
    // The price of the wider window: worse matches.
    expect(wide.ratingSpread.p90).toBeGreaterThan(narrow.ratingSpread.p90);
  });

  it("keeps the seed bound under a crowd that outruns seedsPerTick", () => {
    const crowded = parseQueue({
      id: "c",
      teams: { count: 2, size: 5 },
      rating: { initialWindow: 10, expansion: { kind: "linear", perSecond: 1 }, maxWindow: 100 },
      maxWaitMs: 20_000,
      seedsPerTick: 3,
      candidatesPerSeed: 8,
    });
    const r = simulate({ queue: crowded, arrivals: { ratePerSecond: 20, durationMs: 20_000 }, partySizes: { 1: 3, 2: 1, 5: 1 }, seed: 3 });
    expect(r.starvation).toEqual({ lateSeeds: 0, pastMaxWait: 0 });
    expect(r.examined.maxPerTick).toBeLessThanOrEqual(3 * 8);
  });

  it("replays recorded arrivals, refusing the tickets the queue would refuse", () => {
    const regional = parseQueue({ id: "r", teams: { count: 2, size: 1 }, region: { maxLatencyMs: 80 }, maxWaitMs: 10_000 });
    const r = simulate({
      queue: regional,
      arrivals: [
        { atMs: 0, rating: 1500, latencies: { eu: 20 } },
        { atMs: 500, rating: 1510, latencies: { eu: 40, us: 10 } },
        { atMs: 600, rating: 1500, latencies: {} },
        { atMs: 700, rating: 1500, players: 2, latencies: { eu: 10 } },
      ],
    });
    expect(r).toMatchObject({ tickets: 4, rejected: { missing_latencies: 1, party_too_large: 1 }, matches: 1, matchedTickets: 2 });
    expect(r.waitMs).toEqual({ count: 2, p50: 500, p90: 1_000, p99: 1_000, max: 1_000 });
  });

  it("skips the idle time of arrivals stamped far out (epoch ms)", () => {
    const at = 1_700_000_000_000;
    const r = simulate({ queue: ranked(50, 500), arrivals: [{ atMs: at, rating: 1500 }, { atMs: at + 1_500, rating: 1500 }] });
    expect(r).toMatchObject({ matches: 1, waitMs: { max: 2_000 } });
  });

  it("prints a readable table", () => {
    const text = formatSimulationReport(simulate({ queue: ranked(50, 500), arrivals: { ratePerSecond: 1, durationMs: 60_000 }, seed: 1 }));
    expect(text).toMatch(/^Simulation of queue "ranked" \(seed 1, ticks of 1000 ms, \d+ ticks\)\n/);
    expect(text).toMatch(/\n {2}timeouts +\d+ \([\d.]+ %\): no_one_within_window \d+, no_region \d+, party_size \d+, pool_too_small \d+\n/);
    expect(text).toMatch(/\n {2}wait \(ms\) +\d+ +\d+ +\d+ +\d+ +\d+\n/);
  });

  it("nearest-rank percentiles", () => {
    expect(percentiles([])).toEqual({ count: 0, p50: 0, p90: 0, p99: 0, max: 0 });
    expect(percentiles(Array.from({ length: 100 }, (_, i) => 100 - i))).toEqual({ count: 100, p50: 50, p90: 90, p99: 99, max: 100 });
  });
});

describe("matchmaker simulate (CLI)", () => {
  const dir = mkdtempSync(join(tmpdir(), "mm-simulate-"));
  const catalog = join(dir, "games.yaml");
  writeFileSync(
    catalog,
    `gameTypes:
  - id: duel
    name: Duel
    minPlayers: 2
    maxPlayers: 2
    queues:
      - { id: ranked-1v1, teams: { count: 2, size: 1 }, maxWaitMs: 30000 }
  - id: squads
    name: Squads
    minPlayers: 4
    maxPlayers: 4
    queues:
      - { id: duos, teams: { count: 2, size: 2 }, maxWaitMs: 30000 }
`,
  );

  it("finds the queue in the catalog and prints the report for a rate", () => {
    const out = simulateCommand(["--queue", "ranked-1v1", "--arrivals", "2", "--duration", "30000", "--seed", "5"], catalog);
    expect(out).toContain('Simulation of queue "ranked-1v1" (seed 5');
    expect(out).toBe(simulateCommand(["--queue", "ranked-1v1", "--arrivals", "2", "--duration", "30000", "--seed", "5"], catalog));
  });

  it("draws parties and ratings as told", () => {
    const out = simulateCommand(["--queue", "duos", "--arrivals", "4", "--duration", "20000", "--parties", "1:1,2:1,3:1", "--rating", "1000:50"], catalog);
    expect(out).toMatch(/refused at enqueue \(party_too_large \d+\)/);
    expect(() => simulateCommand(["--queue", "duos", "--arrivals", "4", "--parties", "1-2"], catalog)).toThrow('--parties takes a:b pairs separated by commas (got "1-2")');
  });

  it("reads arrivals from a file", () => {
    const file = join(dir, "arrivals.yaml");
    writeFileSync(file, "- { atMs: 0, rating: 1500 }\n- { atMs: 100, rating: 1520 }\n");
    expect(simulateCommand(["--queue", "ranked-1v1", "--arrivals", file], catalog)).toContain("matches      1 (2 tickets matched, 100.0 %)");
  });

  it("says what is wrong: unknown queue, missing options, a bad file, an invalid catalog", () => {
    expect(() => simulateCommand(["--queue", "nope", "--arrivals", "1"], catalog)).toThrow('no queue "nope" in ' + catalog + "; known queues: duel/ranked-1v1, squads/duos");
    expect(() => simulateCommand(["--queue", "ranked-1v1"], catalog)).toThrow(/^usage: matchmaker simulate --queue <id> --arrivals/);
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "- { at: 0 }\n");
    expect(() => simulateCommand(["--queue", "ranked-1v1", "--arrivals", bad], catalog)).toThrow(/expected a list of \{ atMs/);
    const broken = join(dir, "broken.yaml");
    writeFileSync(broken, "gameTypes:\n  - { id: duel, name: Duel, minPlayers: 2, maxPlayers: 2, queues: [{ id: q, teams: { count: 2 } }] }\n");
    expect(configError(() => simulateCommand(["--queue", "q", "--arrivals", "1"], broken)).format()).toContain("queues[0].teams: needs size");
  });
});
