import { badInput } from "./errors.js";
import { type GameFilter, type LabelFilter, matchesFilter, type NormalizedFilter, normalizeFilter } from "./filter.js";
import { freeSeats, type GameRecord, type GameState, type LabelValue, Visibility } from "./game.js";
import { type GameTypeDef, QuickJoinPreference } from "./game-type.js";
import { GameEvent, transitionTable } from "./state-machine.js";

/**
 * Free seats weigh this much in a quick-join index score (free × weight + createdAt), so
 * one score orders by free seats, then age: 2^42 ms ≈ 139 years, capacity < 2^11.
 */
export const QUICK_JOIN_FREE_WEIGHT = 2 ** 42;

/** States in which a game takes new players: the only ones quickJoin looks at. */
export const QUICK_JOINABLE_STATES: readonly GameState[] = Object.keys(
  transitionTable(GameEvent.PLAYER_JOINING, { freeSeats: 1 }),
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
    ...(input?.states ? { states: input.states } : {}),
    ...(labels.length > 0 ? { labels } : {}),
  };
  return normalizeFilter(filter, [type], resolveType);
}

/**
 * Labels for a game quickJoin creates: what the caller gave, with every `eq` of the filter
 * on top, so the next quickJoin with the same filter finds this game instead of creating one.
 * Never throws.
 */
export function labelsForCreated(given: Record<string, LabelValue>, filter: NormalizedFilter): Record<string, LabelValue> {
  const out = { ...given };
  for (const lf of filter.labels) if (lf.eq != null) out[lf.key] = lf.eq;
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
  /** Candidates examined at most, in order, before giving up. */
  scanBudget: number;
}

/**
 * The reference choice (the memory store uses it; the Redis script must agree): among
 * quick-joinable games of the region with room for the party, in `prefer` order, the first
 * of the first `scanBudget` that passes the filter and seats none of the party yet; null
 * when none does. Pure; never throws.
 */
export function pickQuickJoin(games: Iterable<GameRecord>, s: QuickJoinSearch): GameRecord | null {
  const size = s.playerIds.length;
  const order = quickJoinOrder(s.prefer);
  const budget = Math.max(1, Math.floor(s.scanBudget));
  // The first `budget` candidates in order, kept sorted as games stream by: O(games × log budget).
  const first: GameRecord[] = [];
  for (const g of games) {
    if (!s.filter.gameTypes.includes(g.gameType) || !isQuickJoinable(g) || freeSeats(g) < size) continue;
    if (s.region !== null && g.region !== s.region) continue;
    if (first.length === budget && order(g, first[budget - 1]!) >= 0) continue;
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
  return first.find((g) => matchesFilter(g, s.filter) && !g.players.some((p) => s.playerIds.includes(p.id))) ?? null;
}
