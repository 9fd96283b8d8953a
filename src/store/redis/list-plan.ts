import { badInput } from "../../domain/errors.js";
import { type GameSort, type LabelFilter, type NormalizedFilter, SortField, sortWeights } from "../../domain/filter.js";
import type { LabelKind } from "../../domain/game-type.js";
import type { RedisKeys } from "./keys.js";

export type PlanCommand = "ZUNIONSTORE" | "ZINTERSTORE" | "ZDIFFSTORE" | "ZRANGESTORE";

/** One sorted-set command; a number in `a` is a 1-based index into `keys`, a string is literal. */
export interface PlanOp {
  c: PlanCommand;
  a: (number | string)[];
}

/** What list-n.lua executes: KEYS = `keys` (temps first), ARGV[1] = JSON of `ops`. */
export interface ListPlan {
  keys: string[];
  /** keys[0..tempCount) are scratch keys the script deletes; keys[0] holds the result, keys[1] is for ties. */
  tempCount: number;
  ops: PlanOp[];
}

type Arg = { key: string } | string;

/** Redis score syntax for a bound; `(` makes it exclusive. */
const score = (n: number, exclusive = false): string =>
  (exclusive ? "(" : "") + (n === Infinity ? "+inf" : n === -Infinity ? "-inf" : String(n));

/**
 * Turns a filter and sort into sorted-set operations over the indexes of one game type
 * (pure: no I/O). The result set ends up scored by the sort score — createdAt, or
 * free seats × sortWeights.freeSeats + createdAt — so paging is a rank range.
 * Returns null when nothing can match (no states, no regions, a type-mismatched label
 * value), so no round trip is needed. Throws BAD_USER_INPUT for a label the type does
 * not declare: undeclared labels are not indexed.
 */
export function planList(
  keys: RedisKeys,
  type: string,
  labelKinds: Readonly<Record<string, LabelKind>>,
  filter: NormalizedFilter,
  sort: GameSort,
  token: string,
): ListPlan | null {
  const result = keys.temp(type, `${token}:r`);
  const temps = [result, keys.temp(type, `${token}:t`)];
  const scratch = (): string => {
    const key = keys.temp(type, `${token}:${temps.length}`);
    temps.push(key);
    return key;
  };
  const ops: { c: PlanCommand; a: Arg[] }[] = [];
  const inter: { key: string; weight: string }[] = [];
  const diff: string[] = [];
  const union = (sources: string[]): string => {
    if (sources.length === 1) return sources[0]!;
    const dest = scratch();
    ops.push({ c: "ZUNIONSTORE", a: [{ key: dest }, String(sources.length), ...sources.map((key) => ({ key }))] });
    return dest;
  };
  const range = (src: string, min: string, max: string): string => {
    const dest = scratch();
    ops.push({ c: "ZRANGESTORE", a: [{ key: dest }, { key: src }, min, max, "BYSCORE"] });
    return dest;
  };

  const vis = keys.visibilityIndex(type, filter.visibility);
  if (filter.states === null) {
    // Every game is in exactly one visibility index, scored by createdAt: a fine base.
    inter.push({ key: vis, weight: "1" });
  } else {
    if (filter.states.length === 0) return null;
    inter.push({ key: union(filter.states.map((s) => keys.stateIndex(type, s))), weight: "1" });
    inter.push({ key: vis, weight: "0" });
  }
  if (filter.regions !== null) {
    if (filter.regions.length === 0) return null;
    inter.push({ key: union(filter.regions.map((r) => keys.regionIndex(type, r))), weight: "0" });
  }
  // Intersecting with the free-seats index at weight 2^42 adds free × 2^42 to createdAt: sortScore.
  const freeWeight = sort.field === SortField.FREE_SEATS ? String(sortWeights.freeSeats) : "0";
  if (filter.minFreeSeats > 0) {
    inter.push({ key: range(keys.freeIndex(type), score(filter.minFreeSeats), "+inf"), weight: freeWeight });
  } else if (sort.field === SortField.FREE_SEATS) {
    inter.push({ key: keys.freeIndex(type), weight: freeWeight });
  }
  for (const lf of filter.labels) {
    const kind = labelKinds[lf.key];
    if (!kind) throw badInput(`Label "${lf.key}" is not declared by game type "${type}" and cannot be filtered on.`);
    const ok =
      kind === "string"
        ? planStringLabel(keys, type, lf, inter, diff)
        : planNumberLabel(keys.numberLabelIndex(type, lf.key), lf, inter, diff, range);
    if (!ok) return null;
  }

  ops.push({
    c: "ZINTERSTORE",
    a: [{ key: result }, String(inter.length), ...inter.map((s) => ({ key: s.key })), "WEIGHTS", ...inter.map((s) => s.weight)],
  });
  if (diff.length > 0) {
    ops.push({ c: "ZDIFFSTORE", a: [{ key: result }, String(diff.length + 1), { key: result }, ...diff.map((key) => ({ key }))] });
  }
  return resolve(temps, ops);
}

// Only string values are in string-label indexes, so a non-string eq matches nothing.
function planStringLabel(
  keys: RedisKeys,
  type: string,
  lf: LabelFilter,
  inter: { key: string; weight: string }[],
  diff: string[],
): boolean {
  if (lf.gt !== undefined || lf.gte !== undefined || lf.lt !== undefined || lf.lte !== undefined) return false;
  if (lf.eq !== undefined) {
    if (typeof lf.eq !== "string") return false;
    inter.push({ key: keys.stringLabelIndex(type, lf.key, lf.eq), weight: "0" });
  }
  if (typeof lf.ne === "string") diff.push(keys.stringLabelIndex(type, lf.key, lf.ne));
  return true;
}

function planNumberLabel(
  index: string,
  lf: LabelFilter,
  inter: { key: string; weight: string }[],
  diff: string[],
  range: (src: string, min: string, max: string) => string,
): boolean {
  if (lf.eq !== undefined) {
    if (typeof lf.eq !== "number" || Number.isNaN(lf.eq)) return false;
    inter.push({ key: range(index, score(lf.eq), score(lf.eq)), weight: "0" });
  }
  const bounds = [lf.gt, lf.gte, lf.lt, lf.lte];
  if (bounds.some((b) => b !== undefined)) {
    if (bounds.some((b) => b !== undefined && Number.isNaN(b))) return false;
    // Of two lower (upper) bounds the tighter wins; on a tie the exclusive one is tighter.
    const lower =
      lf.gt !== undefined && (lf.gte === undefined || lf.gt >= lf.gte) ? score(lf.gt, true)
      : lf.gte !== undefined ? score(lf.gte) : "-inf";
    const upper =
      lf.lt !== undefined && (lf.lte === undefined || lf.lt <= lf.lte) ? score(lf.lt, true)
      : lf.lte !== undefined ? score(lf.lte) : "+inf";
    inter.push({ key: range(index, lower, upper), weight: "0" });
  }
  if (typeof lf.ne === "number" && !Number.isNaN(lf.ne)) diff.push(range(index, score(lf.ne), score(lf.ne)));
  return true;
}

/** Lists each key once, temps first, and replaces key arguments by their KEYS position. */
function resolve(temps: string[], ops: { c: PlanCommand; a: Arg[] }[]): ListPlan {
  const keys = [...temps];
  const position = new Map(keys.map((k, i) => [k, i + 1]));
  const ref = (key: string): number => {
    let at = position.get(key);
    if (at === undefined) {
      at = keys.push(key);
      position.set(key, at);
    }
    return at;
  };
  return {
    keys,
    tempCount: temps.length,
    ops: ops.map((op) => ({ c: op.c, a: op.a.map((x) => (typeof x === "string" ? x : ref(x.key))) })),
  };
}
