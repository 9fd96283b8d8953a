import type { LabelFilter, NormalizedFilter } from "./filter.js";
import type { GameRecord } from "./game.js";
import type { LabelKind } from "./game-type.js";

/** One end of a numeric range; `open` excludes the value itself (Redis "(" bounds). */
export interface DriveBound {
  value: number;
  open: boolean;
}

/**
 * The label index quickJoin's second walk reads when the first (free-seat order) walk
 * found nothing: a selective filter (say mode = casual among many ranked games) would
 * otherwise never see its own games behind `scanBudget` others and create one per call.
 * string: the games whose label equals `value`, oldest first (the index is scored by
 * createdAt); number: the games whose label lies in [low, high], lowest value first.
 * Ties by id, as in a Redis sorted set.
 */
export type QuickJoinDrive =
  | { label: string; kind: "string"; value: string }
  | { label: string; kind: "number"; low: DriveBound | null; high: DriveBound | null };

// The tighter of two bounds: `sign` 1 keeps the higher value (lower bounds), -1 the lower.
const tighter = (a: DriveBound | null, b: DriveBound, sign: 1 | -1): DriveBound => {
  if (a === null || (b.value - a.value) * sign > 0) return b;
  return a.value === b.value ? { value: a.value, open: a.open || b.open } : a;
};

function numberDrive(lf: LabelFilter): QuickJoinDrive | null {
  if (lf.eq != null && typeof lf.eq !== "number") return null;
  let low: DriveBound | null = null;
  let high: DriveBound | null = null;
  const lows: [number | undefined, boolean][] = [[lf.eq as number | undefined, false], [lf.gte, false], [lf.gt, true], [lf.between?.[0], false]];
  const highs: [number | undefined, boolean][] = [[lf.eq as number | undefined, false], [lf.lte, false], [lf.lt, true], [lf.between?.[1], false]];
  for (const [v, open] of lows) if (typeof v === "number") low = tighter(low, { value: v, open }, 1);
  for (const [v, open] of highs) if (typeof v === "number") high = tighter(high, { value: v, open }, -1);
  return low === null && high === null ? null : { label: lf.key, kind: "number", low, high };
}

/**
 * The drive for `filter` on a type declaring `kinds`: its first label comparison that an
 * index answers (a string label with a string `eq`; a numeric label with eq/gt/gte/lt/lte/
 * between), or null. Every game passing that comparison is in the index, so the second
 * walk misses nothing the filter accepts within its budget. Never throws.
 */
export function quickJoinDrive(filter: NormalizedFilter, kinds: Readonly<Record<string, LabelKind>>): QuickJoinDrive | null {
  for (const lf of filter.labels) {
    const kind = Object.hasOwn(kinds, lf.key) ? kinds[lf.key] : undefined;
    if (kind === "string" && typeof lf.eq === "string") return { label: lf.key, kind, value: lf.eq };
    if (kind === "number") {
      const d = numberDrive(lf);
      if (d) return d;
    }
  }
  return null;
}

/** Redis ZRANGEBYSCORE bounds of the drive index (createdAt scores for a string label: all of it). Never throws. */
export function driveRange(d: QuickJoinDrive): { min: string; max: string } {
  if (d.kind === "string") return { min: "-inf", max: "+inf" };
  const text = (b: DriveBound | null, none: string) => (b === null ? none : (b.open ? "(" : "") + String(b.value));
  return { min: text(d.low, "-inf"), max: text(d.high, "+inf") };
}

/**
 * The game's position key in the drive index, or null when the index does not hold it
 * (the label missing, of another kind than declared, or outside the range), exactly as
 * codec.ts labelIndexes indexes labels. Never throws.
 */
export function driveScore(d: QuickJoinDrive, g: GameRecord): number | null {
  const v = Object.hasOwn(g.labels, d.label) ? g.labels[d.label] : undefined;
  if (d.kind === "string") return v === d.value ? g.createdAt : null;
  if (typeof v !== "number" || !Number.isFinite(v)) return null;
  const above = (b: DriveBound | null) => b === null || v > b.value || (!b.open && v === b.value);
  const below = (b: DriveBound | null) => b === null || v < b.value || (!b.open && v === b.value);
  return above(d.low) && below(d.high) ? v : null;
}

/** Drive index order: score, then id (a sorted set's order for equal scores). Never throws. */
export function driveOrder(d: QuickJoinDrive): (a: GameRecord, b: GameRecord) => number {
  return (a, b) => driveScore(d, a)! - driveScore(d, b)! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
