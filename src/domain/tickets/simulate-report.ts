/** The simulation result as a text table for a terminal (what `matchmaker simulate` prints). */
import { TIMEOUT_REASONS } from "./queue.js";
import type { Percentiles } from "../percentiles.js";
import type { SimulationResult } from "./simulate.js";

/** Integers as they are; other values to one decimal. */
const num = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(1));

const pct = (part: number, whole: number): string => (whole === 0 ? "-" : `${((100 * part) / whole).toFixed(1)} %`);

/** A readable report of `r`, one fact a line, ending with a newline. Never throws. */
export function formatSimulationReport(r: SimulationResult): string {
  const timedOut = TIMEOUT_REASONS.reduce((s, reason) => s + r.timeouts[reason], 0);
  const refused = Object.values(r.rejected).reduce((s, n) => s + n, 0);
  const refusedBy = Object.entries(r.rejected).map(([reason, n]) => `${reason} ${n}`).join(", ");
  const accepted = r.tickets - refused;
  const lines = [
    `Simulation of queue "${r.queueId}" (seed ${r.seed}, ticks of ${r.tickMs} ms, ${r.ticks} ticks)`,
    `  tickets      ${r.tickets} arrived, ${refused} refused at enqueue${refused > 0 ? ` (${refusedBy})` : ""}`,
    `  matches      ${r.matches} (${r.matchedTickets} tickets matched, ${pct(r.matchedTickets, accepted)})`,
    `  timeouts     ${timedOut} (${pct(timedOut, accepted)}): ${TIMEOUT_REASONS.map((reason) => `${reason} ${r.timeouts[reason]}`).join(", ")}`,
    `  starvation   ${r.starvation.lateSeeds} late seeds, ${r.starvation.pastMaxWait} tickets past maxWait + 1 tick`,
    `  work         ${r.examined.total} candidates examined, at most ${r.examined.maxPerTick} in one tick`,
    "",
    row("", ["count", "p50", "p90", "p99", "max"]),
    row("wait (ms)", cells(r.waitMs)),
    row("rating spread", cells(r.ratingSpread)),
    row("team difference", cells(r.teamDifference)),
  ];
  return lines.join("\n") + "\n";
}

function cells(p: Percentiles): string[] {
  return p.count === 0 ? ["0", "-", "-", "-", "-"] : [String(p.count), num(p.p50), num(p.p90), num(p.p99), num(p.max)];
}

const row = (label: string, values: readonly string[]): string => `  ${label.padEnd(16)}${values.map((v) => v.padStart(9)).join("")}`;
