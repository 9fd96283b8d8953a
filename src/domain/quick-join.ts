import { badInput } from "./errors.js";
import { type GameFilter, type LabelFilter, matchesFilter, type NormalizedFilter, normalizeFilter } from "./filter.js";
import { freeSeats, type GameRecord, type GameState, type LabelValue, Visibility } from "./game.js";
import { type GameTypeDef, type LabelKind, QuickJoinPreference } from "./game-type.js";
import { driveOrder, driveScore, quickJoinDrive } from "./quick-join-drive.js";
import { GameEvent, transitionTable } from "./state-machine.js";

/**
 * Free seats weigh this much in a quick-join index score (free × weight + createdAt), so
 * one score orders by free seats, then age: 2^42 ms ≈ 139 years, capacity < 2^11.
 */
export const QUICK_JOIN_FREE_WEIGHT = 2 ** 42;

/** States in which a game takes new players: the only ones quickJoin looks at. */
export const QUICK_JOINABLE_STATES: readonly GameState[] = Object.keys(
  transitionTable(GameEvent.PLAYER_JOINING, { freeSeats: 1, hostConnected: true }),
) as GameState[];

/** The label comparisons quickJoin evaluates per candidate (in every backend, including Lua). */
const SUPPORTED_LABEL_OPS = new Set(["key", "eq", "ne", "gt", "gte", "lt", "lte", "between"]);

/** What a client may narrow quickJoin by, beyond game type and region. */
export interface QuickJoinFilter {
  states?: GameState[] | null;
  labels?: LabelFilter[] | null;
}

/**
 * The filter a quickJoin candidate must pass, validated and coerced by the lobby's own
 * normalizeFilter (so labels mean exactly what they mean in `games`): only PUBLIC games of
 * `type` with at least `partySize` free seats. The region is not part of it: the store
 * walks that region's index. Throws BAD_USER_INPUT for undeclared labels, bad values, or
 * a comparison quickJoin does not evaluate.
 */
export function quickJoinFilter(
  type: GameTypeDef,
  input: QuickJoinFilter | null | undefined,
  partySize: number,
  resolveType: (id: string) => GameTypeDef,
): NormalizedFilter {
  const labels = input?.labels ?? [];
  for (const lf of labels) {
    const extra = Object.keys(lf).filter((k) => !SUPPORTED_LABEL_OPS.has(k) && (lf as unknown as Record<string, unknown>)[k] != null);
    if (extra.length > 0) {
      throw badInput(`quickJoin filter: label "${lf.key}" uses ${extra.join(", ")}; quickJoin compares with eq, ne, gt, gte, lt, lte, between only.`);
    }
  }
  const filter: GameFilter = {
    gameType: type.id,
    visibility: Visibility.PUBLIC,
    minFreeSeats: partySize,
    // Racers must meet in the hosted game one of them just created, host connected or not.
    includeWaitingForHost: true,
    ...(input?.states ? { states: input.states } : {}),
    ...(labels.length > 0 ? { labels } : {}),
  };
  return normalizeFilter(filter, [type], resolveType);
}

/**
 * Labels for a game quickJoin creates, so that the next quickJoin with the same filter
 * finds it instead of creating another: what the caller gave, every `eq` of the filter on
 * top, and for a numeric range the caller left open a value inside it (the middle of a
 * two-sided range, else the inclusive bound, else one step past the exclusive one).
 * Never throws.
 */
export function labelsForCreated(given: Record<string, LabelValue>, filter: NormalizedFilter): Record<string, LabelValue> {
  const out = { ...given };
  for (const lf of filter.labels) {
    if (lf.eq != null) {
      out[lf.key] = lf.eq;
      continue;
    }
    if (lf.key in out) continue;
    const lo = lf.between?.[0] ?? lf.gte ?? lf.gt;
    const hi = lf.between?.[1] ?? lf.lte ?? lf.lt;
    let pick: number | undefined;
    if (lo != null && hi != null) pick = (lo + hi) / 2;
    else if (lf.gte != null) pick = lf.gte;
    else if (lf.gt != null) pick = lf.gt + 1;
    else if (lf.lte != null) pick = lf.lte;
    else if (lf.lt != null) pick = lf.lt - 1;
    if (pick !== undefined) out[lf.key] = pick;
  }
  return out;
}

/** Whether a game belongs in the quick-join index at all: public, taking players, a seat free. Never throws. */
export function isQuickJoinable(g: GameRecord): boolean {
  return g.visibility === Visibility.PUBLIC && QUICK_JOINABLE_STATES.includes(g.state) && freeSeats(g) > 0;
}

/** Candidate order for `prefer`, ties by age then id (the order the Redis indexes give). Never throws. */
export function quickJoinOrder(prefer: QuickJoinPreference): (a: GameRecord, b: GameRecord) => number {
  const byAge = (a: GameRecord, b: GameRecord) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  switch (prefer) {
    case QuickJoinPreference.FEWEST_FREE_SEATS:
      return (a, b) => freeSeats(a) - freeSeats(b) || byAge(a, b);
    case QuickJoinPreference.MOST_FREE_SEATS:
      return (a, b) => freeSeats(b) - freeSeats(a) || byAge(a, b);
    case QuickJoinPreference.OLDEST:
      return byAge;
  }
}

export interface QuickJoinSearch {
  filter: NormalizedFilter;
  /** Only games in this region are candidates (null: any region). */
  region: string | null;
  /** The party's ids; a game any of them already sits in is passed over. */
  playerIds: readonly string[];
  prefer: QuickJoinPreference;
  /** Candidates examined at most, in order, before giving up (per walk). */
  scanBudget: number;
  /** The label kinds the game type declares (which labels have an index to drive a second walk). */
  labelKinds?: Readonly<Record<string, LabelKind>>;
}

// Inserts `g` into `first` (sorted by `order`, at most `budget` long). O(log budget).
function keepFirst(first: GameRecord[], g: GameRecord, order: (a: GameRecord, b: GameRecord) => number, budget: number): void {
  if (first.length === budget && order(g, first[budget - 1]!) >= 0) return;
  let lo = 0;
  let hi = first.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (order(first[mid]!, g) < 0) lo = mid + 1;
    else hi = mid;
  }
  first.splice(lo, 0, g);
  if (first.length > budget) first.pop();
}

/**
 * The reference choice (the memory store uses it; the Redis script must agree). First walk:
 * among quick-joinable games of the region with room for the party, in `prefer` order, the
 * first of the first `scanBudget` that passes the filter and seats none of the party yet.
 * When none does and the filter has an indexed label comparison (quickJoinDrive), a second
 * walk reads the first `scanBudget` games of that label's index in its order and picks,
 * among those the first walk could have taken, the best in `prefer` order — so selective
 * filters find their games behind many others. null when both find nothing. Pure; never
 * throws; one pass over `games`.
 */
export function pickQuickJoin(games: Iterable<GameRecord>, s: QuickJoinSearch): GameRecord | null {
  const size = s.playerIds.length;
  const order = quickJoinOrder(s.prefer);
  const budget = Math.max(1, Math.floor(s.scanBudget));
  const drive = s.labelKinds ? quickJoinDrive(s.filter, s.labelKinds) : null;
  const driveBy = drive ? driveOrder(drive) : null;
  // The first `budget` candidates of each walk, kept sorted as games stream by: O(games × log budget).
  const first: GameRecord[] = [];
  const driven: GameRecord[] = [];
  for (const g of games) {
    if (!s.filter.gameTypes.includes(g.gameType)) continue;
    // The drive index holds every game of the type with the label, joinable or not.
    if (drive && driveBy && driveScore(drive, g) !== null) keepFirst(driven, g, driveBy, budget);
    if (!isQuickJoinable(g) || freeSeats(g) < size) continue;
    if (s.region !== null && g.region !== s.region) continue;
    keepFirst(first, g, order, budget);
  }
  const fits = (g: GameRecord) =>
    isQuickJoinable(g) && freeSeats(g) >= size && (s.region === null || g.region === s.region) &&
    matchesFilter(g, s.filter) && !g.players.some((p) => s.playerIds.includes(p.id));
  const found = first.find(fits);
  if (found) return found;
  return driven.filter(fits).sort(order)[0] ?? null;
}
