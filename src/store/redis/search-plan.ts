import { badInput } from "../../domain/errors.js";
import type { LabelFilter, NormalizedFilter } from "../../domain/filter.js";
import type { LabelKind } from "../../domain/game-type.js";
import { ALL_STATES, Visibility } from "../../domain/game.js";
import { QUICK_JOIN_FREE_WEIGHT, QUICK_JOINABLE_STATES } from "../../domain/quick-join.js";
import { type GameSort, SortDirection, SortField, sortWeights } from "../../domain/sort.js";
import type { SearchBudget } from "../search-budget.js";
import type { RedisKeys } from "./keys.js";

/**
 * One condition a candidate must meet, checked with ZMSCORE (k: KEYS positions).
 * in:  member of one of the sets; o says what their scores are (createdAt, or the
 *      FREE_SEATS sort score), which decides whether the set can drive a walk; lo, when
 *      set, bounds the scores a walk or a read of the sets covers.
 * out: member of none of them.
 * num: its score in set k lies within lo..hi (lx/hx: exclusive; absent: open) and is no
 *      value of ne; a non-member passes only when `need` is false.
 * implies: 1-based positions of conditions every member of this one's walk range meets,
 * so a walk over it skips them.
 */
export type Pred = (
  | { t: "in"; k: number[]; o: "created" | "free"; lo?: number }
  | { t: "out"; k: number[] }
  | { t: "num"; k: number; lo?: number; hi?: number; lx?: boolean; hx?: boolean; ne?: number[]; need: boolean }
) & { implies?: number[] };

/** What list-n.lua runs (ARGV[1], JSON): the sort, the conditions, and the work limits. */
export interface PlanBody {
  sort: "created" | "free" | "label" | "nearest";
  desc: boolean;
  /** KEYS positions: the visibility index (scores are createdAt) and the free-seats index. */
  vis: number;
  free: number;
  /** Weight of free seats in the FREE_SEATS score. */
  w: number;
  minFree: number;
  /** LABEL/NEAREST: KEYS position of the label's index, and the 1-based position in preds of its condition. */
  sortKey?: number;
  sortPred?: number;
  target?: number;
  preds: Pred[];
  budget: SearchBudget;
}

export interface SearchPlan {
  keys: string[];
  body: PlanBody;
}

type Bounds = Pick<Extract<Pred, { t: "num" }>, "lo" | "hi" | "lx" | "hx">;

// The quick-join index holds PUBLIC games in these states with a free seat, scored exactly
// like the FREE_SEATS sort; when a filter implies all three it is a ready-sorted driver.
const QUICK_JOIN_USABLE = QUICK_JOIN_FREE_WEIGHT === sortWeights.freeSeats;

/**
 * Turns a normalized filter and sort into the conditions list-n.lua checks per candidate
 * for one game type (pure: no I/O). Returns null when nothing can match (no states, no
 * regions, a value of the wrong kind, an empty range), so no round trip is needed.
 * Throws BAD_USER_INPUT for a label the type does not declare: undeclared labels are not
 * indexed. The sort must have passed normalizeSort. `hosted`: the type has a game server,
 * so games waiting for their host exist and are left out unless the filter includes them.
 */
export function planSearch(
  keys: RedisKeys,
  type: string,
  labelKinds: Readonly<Record<string, LabelKind>>,
  filter: NormalizedFilter,
  sort: GameSort,
  budget: SearchBudget,
  hosted = false,
): SearchPlan | null {
  const all: string[] = [];
  const at = (key: string): number => {
    const i = all.indexOf(key);
    return i >= 0 ? i + 1 : all.push(key);
  };
  const vis = at(keys.visibilityIndex(type, filter.visibility));
  const preds: Pred[] = [{ t: "in", k: [vis], o: "created" }];
  // Only hosted types have games waiting for their host (see matchesFilter).
  if (hosted && !filter.includeWaitingForHost) preds.push({ t: "out", k: [at(keys.waitingIndex(type))] });
  if (filter.states !== null) {
    if (filter.states.length === 0) return null;
    // "Not in the few states left out" reads fewer sets than "in one of many" (the default: all but ENDED).
    const left = ALL_STATES.filter((s) => !filter.states!.includes(s));
    if (left.length > 0 && left.length < filter.states.length) preds.push({ t: "out", k: left.map((s) => at(keys.stateIndex(type, s))) });
    else if (left.length > 0) preds.push({ t: "in", k: filter.states.map((s) => at(keys.stateIndex(type, s))), o: "created" });
  }
  let regionPred = 0;
  if (filter.regions !== null) {
    if (filter.regions.length === 0) return null;
    regionPred = preds.push({ t: "in", k: filter.regions.map((r) => at(keys.regionIndex(type, r))), o: "created" });
  }
  let freePred = 0;
  if (filter.minFreeSeats > 0) freePred = preds.push({ t: "num", k: at(keys.freeIndex(type)), lo: filter.minFreeSeats, need: true });
  const joinable = filter.states !== null && filter.states.every((s) => QUICK_JOINABLE_STATES.includes(s));
  if (QUICK_JOIN_USABLE && filter.visibility === Visibility.PUBLIC && filter.minFreeSeats > 0 && joinable) {
    // The index (per region when regions are asked for) from minFreeSeats × weight up holds exactly
    // the PUBLIC games of those regions with that many seats free in a joinable state.
    const regions = filter.regions ?? [null];
    const k = regions.map((r) => at(keys.quickJoinIndex(type, r)));
    preds.push({ t: "in", k, o: "free", lo: filter.minFreeSeats * sortWeights.freeSeats, implies: [1, freePred, regionPred].filter((i) => i > 0) });
  }
  for (const lf of filter.labels) {
    const kind = labelKinds[lf.key];
    if (!kind) throw badInput(`Label "${lf.key}" is not declared by game type "${type}" and cannot be filtered on.`);
    const ok = kind === "string" ? stringPreds(keys, type, lf, at, preds) : numberPred(at(keys.numberLabelIndex(type, lf.key)), lf, preds);
    if (!ok) return null;
  }

  const body: PlanBody = {
    sort: ({ CREATED_AT: "created", FREE_SEATS: "free", LABEL: "label", NEAREST: "nearest" } as const)[sort.field],
    desc: sort.direction === SortDirection.DESC,
    vis,
    free: at(keys.freeIndex(type)),
    w: sortWeights.freeSeats,
    minFree: filter.minFreeSeats,
    preds,
    budget,
  };
  if (sort.field === SortField.LABEL || sort.field === SortField.NEAREST) {
    // Only games carrying the label are listed; every range on it also bounds the walk.
    const k = at(keys.numberLabelIndex(type, sort.label!));
    const on = preds.flatMap((p, i) => (p.t === "num" && p.k === k && p.need ? [{ p, at: i + 1 }] : []));
    const b = on.reduce<Bounds | null>((acc, { p }) => acc && intersect(acc, p as Bounds), {});
    if (b === null) return null;
    body.sortKey = k;
    const implies = on.filter(({ p }) => p.t === "num" && !p.ne).map(({ at }) => at);
    body.sortPred = preds.push({ t: "num", k, ...b, need: true, ...(implies.length ? { implies } : {}) });
    if (sort.field === SortField.NEAREST) body.target = sort.target!;
  }
  return { keys: all, body };
}

// Only string values are in string-label indexes, so a non-string eq (or any range) matches nothing.
function stringPreds(keys: RedisKeys, type: string, lf: LabelFilter, at: (k: string) => number, preds: Pred[]): boolean {
  if (lf.gt != null || lf.gte != null || lf.lt != null || lf.lte != null || lf.between != null) return false;
  if (lf.eq != null) {
    if (typeof lf.eq !== "string") return false;
    preds.push({ t: "in", k: [at(keys.stringLabelIndex(type, lf.key, lf.eq))], o: "created" });
  }
  if (typeof lf.ne === "string") preds.push({ t: "out", k: [at(keys.stringLabelIndex(type, lf.key, lf.ne))] });
  return true;
}

function numberPred(k: number, lf: LabelFilter, preds: Pred[]): boolean {
  const need = lf.eq != null || lf.gt != null || lf.gte != null || lf.lt != null || lf.lte != null || lf.between != null;
  let b: Bounds | null = {};
  const lower = (x: number, ex: boolean) => (b = b && intersect(b, { lo: x, lx: ex }));
  const upper = (x: number, ex: boolean) => (b = b && intersect(b, { hi: x, hx: ex }));
  if (lf.eq != null) {
    if (typeof lf.eq !== "number") return false;
    lower(lf.eq, false);
    upper(lf.eq, false);
  }
  if (lf.gt != null) lower(lf.gt, true);
  if (lf.gte != null) lower(lf.gte, false);
  if (lf.lt != null) upper(lf.lt, true);
  if (lf.lte != null) upper(lf.lte, false);
  if (lf.between != null) {
    if (lf.between.length !== 2) return false;
    lower(lf.between[0]!, false);
    upper(lf.between[1]!, false);
  }
  if (b === null) return false;
  const ne = typeof lf.ne === "number" && !Number.isNaN(lf.ne) ? [lf.ne] : undefined;
  if (need || ne) preds.push({ t: "num", k, ...(b as Bounds), ...(ne ? { ne } : {}), need });
  return true;
}

/**
 * The tighter of two bounds on one score (of two equal bounds the exclusive one); null
 * when no finite value is left. ±Infinity and NaN never reach the script: stored values
 * are finite, so an infinite bound is open or empty, and NaN compares false.
 */
function intersect(a: Bounds, b: Bounds): Bounds | null {
  if (Number.isNaN(b.lo) || Number.isNaN(b.hi)) return null;
  const out: Bounds = { ...a };
  if (b.lo !== undefined && (out.lo === undefined || b.lo > out.lo || (b.lo === out.lo && b.lx))) {
    out.lo = b.lo;
    out.lx = b.lx;
  }
  if (b.hi !== undefined && (out.hi === undefined || b.hi < out.hi || (b.hi === out.hi && b.hx))) {
    out.hi = b.hi;
    out.hx = b.hx;
  }
  if (out.lo === Infinity || out.hi === -Infinity) return null;
  if (out.lo !== undefined && out.hi !== undefined && (out.lo > out.hi || (out.lo === out.hi && (out.lx || out.hx)))) return null;
  if (out.lo === -Infinity) out.lo = undefined;
  if (out.hi === Infinity) out.hi = undefined;
  // JSON drops undefined fields: the script sees an open bound (cjson would turn null into a truthy value).
  if (out.lo === undefined || !out.lx) out.lx = undefined;
  if (out.hi === undefined || !out.hx) out.hx = undefined;
  return out;
}
