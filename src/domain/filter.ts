import { badInput } from "./errors.js";
import { LIMITS } from "./limits.js";
import { freeSeats, type GameRecord, GameState, type LabelValue, Visibility } from "./game.js";
import type { GameTypeDef } from "./game-type.js";

export interface LabelFilter {
  key: string;
  eq?: LabelValue;
  ne?: LabelValue;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  /** Inclusive range [low, high] of a numeric label. */
  between?: number[];
}

export interface GameFilter {
  gameType?: string;
  states?: GameState[];
  /** Defaults to PUBLIC; listing PRIVATE games is for admins only (checked by the service). */
  visibility?: Visibility;
  minFreeSeats?: number;
  regions?: string[];
  labels?: LabelFilter[];
  /**
   * Also list hosted games whose host has not connected to the game server yet
   * (hostConnected false). Default false: the lobby offers only games a player can connect to.
   */
  includeWaitingForHost?: boolean;
}

// The sort lives in sort.ts; re-exported so existing imports keep working.
export { DEFAULT_SORT, type GameSort, normalizeSort, SortDirection, SortField, sortKey, sortScore, sortWeights } from "./sort.js";

/** A filter after validation: every optional part resolved, labels typed by the catalog. */
export interface NormalizedFilter {
  gameTypes: string[];
  states: GameState[] | null;
  visibility: Visibility;
  minFreeSeats: number;
  regions: string[] | null;
  labels: LabelFilter[];
  includeWaitingForHost: boolean;
}

/**
 * States a lobby lists when the filter names none: every live one. An ENDED game is kept a
 * while for its result (until its `ended` timeout) but is never offered again; ask for
 * `states: [ENDED]` to see such games.
 */
export const DEFAULT_LISTED_STATES: readonly GameState[] = Object.values(GameState).filter((s) => s !== GameState.ENDED);

/**
 * Validates a client filter against the catalog. Throws BAD_USER_INPUT (or
 * UNKNOWN_GAME_TYPE via `resolveType`) naming the offending part.
 */
export function normalizeFilter(
  filter: GameFilter | undefined,
  types: readonly GameTypeDef[],
  resolveType: (id: string) => GameTypeDef,
): NormalizedFilter {
  const f = filter ?? {};
  // Counted first, before any list is walked: a request is never expensive by its size.
  if ((f.regions?.length ?? 0) > LIMITS.filterRegions) throw badInput(`filter.regions: at most ${LIMITS.filterRegions} regions.`);
  if ((f.labels?.length ?? 0) > LIMITS.filterLabels) throw badInput(`filter.labels: at most ${LIMITS.filterLabels} label conditions.`);
  if ((f.states?.length ?? 0) > LIMITS.filterStates) throw badInput(`filter.states: at most ${LIMITS.filterStates} states.`);
  const selected = f.gameType != null ? [resolveType(f.gameType)] : types;
  if (f.minFreeSeats != null && (!Number.isInteger(f.minFreeSeats) || f.minFreeSeats < 0)) {
    throw badInput("filter.minFreeSeats must be a whole number ≥ 0.");
  }
  const labels = f.labels ?? [];
  if (labels.length > 0 && f.gameType == null) {
    throw badInput("Label filters need filter.gameType: labels are declared per game type.");
  }
  for (const lf of labels) validateLabelFilter(lf, selected[0]!);
  return {
    gameTypes: selected.map((t) => t.id),
    states: f.states && f.states.length > 0 ? [...new Set(f.states)] : [...DEFAULT_LISTED_STATES],
    visibility: f.visibility ?? Visibility.PUBLIC,
    minFreeSeats: f.minFreeSeats ?? 0,
    regions: f.regions && f.regions.length > 0 ? [...new Set(f.regions)] : null,
    labels: labels.map((lf) => coerceLabelFilter(lf, selected[0]!)),
    includeWaitingForHost: f.includeWaitingForHost ?? false,
  };
}

function validateLabelFilter(lf: LabelFilter, type: GameTypeDef): void {
  const kind = type.labels[lf.key];
  if (!kind) {
    const declared = Object.keys(type.labels);
    throw badInput(
      `Label "${lf.key}" is not declared by game type "${type.id}" and cannot be filtered on` +
        (declared.length ? ` (declared: ${declared.join(", ")}).` : " (it declares no labels)."),
    );
  }
  const ops = (["eq", "ne", "gt", "gte", "lt", "lte", "between"] as const).filter((op) => lf[op] != null);
  if (ops.length === 0) throw badInput(`Label filter "${lf.key}" needs at least one of eq, ne, gt, gte, lt, lte, between.`);
  if (lf.between != null && (lf.between.length !== 2 || !(lf.between[0]! <= lf.between[1]!))) {
    throw badInput(`Label filter "${lf.key}": between takes two numbers [low, high] with low ≤ high.`);
  }
  if (kind === "string" && ops.some((op) => op !== "eq" && op !== "ne")) {
    throw badInput(`Label "${lf.key}" is a string label: only eq and ne apply.`);
  }
}

function coerceLabelFilter(lf: LabelFilter, type: GameTypeDef): LabelFilter {
  const kind = type.labels[lf.key];
  const coerce = (v: LabelValue | undefined): LabelValue | undefined => {
    if (v == null) return undefined;
    if (kind === "string") return String(v);
    const n = typeof v === "number" ? v : Number(v);
    if (!Number.isFinite(n)) throw badInput(`Label "${lf.key}" is numeric; "${v}" is not a number.`);
    return n;
  };
  const out: LabelFilter = { key: lf.key };
  if (lf.eq != null) out.eq = coerce(lf.eq);
  if (lf.ne != null) out.ne = coerce(lf.ne);
  for (const op of ["gt", "gte", "lt", "lte"] as const) if (lf[op] != null) out[op] = lf[op];
  if (lf.between != null) out.between = [...lf.between];
  return out;
}

/** The reference semantics of a filter on one game; the memory store uses it and tests compare Redis with it. */
export function matchesFilter(game: GameRecord, f: NormalizedFilter): boolean {
  if (!f.gameTypes.includes(game.gameType)) return false;
  if (!game.hostConnected && !f.includeWaitingForHost) return false;
  if (f.states && !f.states.includes(game.state)) return false;
  if (game.visibility !== f.visibility) return false;
  if (freeSeats(game) < f.minFreeSeats) return false;
  if (f.regions && (game.region === null || !f.regions.includes(game.region))) return false;
  return f.labels.every((lf) => matchesLabel(game.labels[lf.key], lf));
}

function matchesLabel(value: LabelValue | undefined, lf: LabelFilter): boolean {
  if (lf.ne != null && value === lf.ne) return false;
  if (lf.eq != null && value !== lf.eq) return false;
  const ranged = lf.gt != null || lf.gte != null || lf.lt != null || lf.lte != null || lf.between != null;
  if (!ranged) return true;
  if (typeof value !== "number") return false;
  const [low, high] = lf.between ?? [-Infinity, Infinity];
  return (
    (lf.gt == null || value > lf.gt) &&
    (lf.gte == null || value >= lf.gte) &&
    (lf.lt == null || value < lf.lt) &&
    (lf.lte == null || value <= lf.lte) &&
    value >= low! &&
    value <= high!
  );
}
