import fc from "fast-check";
import { expect, it } from "vitest";
import type { LabelFilter, NormalizedFilter } from "../../src/domain/filter.js";
import { ALL_STATES, type GameRecord, GameState, Visibility } from "../../src/domain/game.js";
import { type GameSort, SortDirection, SortField } from "../../src/domain/sort.js";
import type { SearchBudget } from "../../src/store/search-budget.js";
import { DUEL, makeGame, PARTY, player, testCatalog } from "../support/games.js";
import { listAll, reference, type StoreFactory } from "./contract-support.js";

const TYPES = [DUEL, PARTY] as const;
const NUMERIC: Record<string, string> = { [DUEL]: "rating", [PARTY]: "stakes" };
const STRING: Record<string, string> = { [DUEL]: "mode", [PARTY]: "map" };
const REGIONS = ["eu", "us", "asia"];
const STRINGS = ["ranked", "casual", "a:b{c}=d"];
// Ties, signs, fractions — and values that differ by less than the rounding of
// |v − target| for the targets below, so equal distances span several values.
const NUMBERS = [-1, 0, 1e-17, 2e-17, 1, 1.5, 2, 1500, 2100];
const TARGETS = [0, 1, -1, 1500, 1800, 1e17];
const BASE_TIME = 1_763_000_000_000;

const mostly = <T, U>(usual: T, other: fc.Arbitrary<U>): fc.Arbitrary<T | U> =>
  fc.oneof({ arbitrary: fc.constant(usual), weight: 3 }, { arbitrary: other, weight: 1 });
// A filter part present one time in six, so most random filters still match several games.
const opt = <T>(a: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, { arbitrary: a, weight: 1 });
const num = fc.constantFrom(...NUMBERS);

const gameSpec = fc.record({
  type: fc.constantFrom(...TYPES),
  state: mostly(GameState.OPEN, fc.constantFrom(...ALL_STATES)),
  capacity: fc.integer({ min: 1, max: 5 }),
  seated: fc.double({ min: 0, max: 1, noNaN: true }),
  visibility: mostly(Visibility.PUBLIC, fc.constant(Visibility.PRIVATE)),
  region: fc.constantFrom(null, ...REGIONS),
  createdAt: fc.integer({ min: 0, max: 6 }),
  str: fc.oneof(fc.constant(undefined), fc.constantFrom(...STRINGS)),
  num: fc.oneof({ arbitrary: num, weight: 4 }, { arbitrary: fc.constant(undefined), weight: 1 }),
});
type GameSpec = typeof gameSpec extends fc.Arbitrary<infer T> ? T : never;

function toGame(s: GameSpec, i: number): GameRecord {
  const labels: Record<string, string | number> = {};
  if (s.str !== undefined) labels[STRING[s.type]!] = s.str;
  if (s.num !== undefined) labels[NUMERIC[s.type]!] = s.num;
  return makeGame({
    id: `${s.type}_g${String(i).padStart(2, "0")}`,
    gameType: s.type,
    state: s.state,
    capacity: s.capacity,
    players: Array.from({ length: Math.round(s.seated * s.capacity) }, (_, k) => player(k === 0 ? "alice" : `p${k}`, BASE_TIME)),
    visibility: s.visibility,
    joinCode: s.visibility === Visibility.PRIVATE ? `code${i}` : null,
    region: s.region,
    labels,
    createdAt: BASE_TIME + s.createdAt,
    expiresAt: BASE_TIME + s.createdAt + testCatalog.get(s.type)!.stateTimeouts[s.state] * 1_000,
  });
}

const numericFilter = (key: string): fc.Arbitrary<LabelFilter> =>
  fc
    .record({
      eq: opt(num),
      ne: opt(num),
      gt: opt(num),
      gte: opt(num),
      lt: opt(num),
      lte: opt(num),
      between: opt(fc.tuple(num, num).map(([a, b]) => (a <= b ? [a, b] : [b, a]))),
    })
    .map((ops) => ({ key, ...ops }));
const stringFilter = (key: string): fc.Arbitrary<LabelFilter> =>
  fc.record({ eq: opt(fc.constantFrom(...STRINGS)), ne: opt(fc.constantFrom(...STRINGS)) }).map((ops) => ({ key, ...ops }));

const common = fc.record({
  // Mostly the lobby's own view, so the quick-join index drives FREE_SEATS walks often.
  states: fc.oneof(
    { arbitrary: fc.constant(null), weight: 2 },
    { arbitrary: fc.constant<GameState[]>([GameState.OPEN]), weight: 1 },
    { arbitrary: fc.subarray([...ALL_STATES], { minLength: 2 }), weight: 1 },
  ),
  visibility: mostly(Visibility.PUBLIC, fc.constant(Visibility.PRIVATE)),
  minFreeSeats: mostly(0, fc.integer({ min: 1, max: 3 })),
  regions: mostly(null, fc.subarray([...REGIONS, "mars"], { minLength: 1 })),
  includeWaitingForHost: fc.boolean(),
});

const direction = fc.constantFrom(SortDirection.ASC, SortDirection.DESC);

/** A filter and a sort the filter's types can serve: label sorts and label filters list one type. */
const query: fc.Arbitrary<{ filter: NormalizedFilter; sort: GameSort }> = fc.oneof(
  { weight: 1, arbitrary: fc
    .record({ c: common, gameTypes: fc.subarray([...TYPES], { minLength: 1 }), field: fc.constantFrom(SortField.CREATED_AT, SortField.FREE_SEATS), direction })
    .map(({ c, gameTypes, field, direction }) => ({ filter: { ...c, gameTypes, labels: [] }, sort: { field, direction } })) },
  { weight: 2, arbitrary: fc.constantFrom(...TYPES).chain((type) =>
    fc
      .record({
        c: common,
        labels: fc.array(fc.oneof(numericFilter(NUMERIC[type]!), stringFilter(STRING[type]!)), { maxLength: 2 }).map((ls) =>
          // A filter naming no comparison is refused by normalizeFilter; drop it here.
          ls.filter((lf) => Object.values(lf).some((v, i) => i > 0 && v !== undefined)),
        ),
        sort: fc.oneof(
          fc.record({ field: fc.constantFrom(SortField.CREATED_AT, SortField.FREE_SEATS), direction }),
          fc.record({ field: fc.constant(SortField.LABEL), direction, label: fc.constant(NUMERIC[type]!) }),
          fc.record({ field: fc.constant(SortField.NEAREST), direction: fc.constant(SortDirection.ASC), label: fc.constant(NUMERIC[type]!), target: fc.constantFrom(...TARGETS) }),
        ),
      })
      .map(({ c, labels, sort }) => ({ filter: { ...c, gameTypes: [type], labels }, sort: sort as GameSort })),
  ) },
);

// The real limits, or tiny ones so pages stop early, counts are capped and whole-set reads are skipped or forced.
const budget: fc.Arbitrary<Partial<SearchBudget> | undefined> = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 1 },
  {
    arbitrary: fc.record({ scan: fc.integer({ min: 1, max: 6 }), count: fc.integer({ min: 1, max: 6 }), materialize: fc.constantFrom(0, 3, 1_000) }),
    weight: 3,
  },
);

/**
 * Random games, filters (between included), sorts (LABEL and NEAREST included) and
 * budgets: following endCursor through every page yields exactly the reference's
 * ordered list, whatever page sizes and early stops happened on the way.
 */
export function describeSearchProperty(factory: StoreFactory): void {
  it("search agrees with the reference on random games, filters, sorts and budgets", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(gameSpec, { minLength: 3, maxLength: 30 }), query, budget, fc.integer({ min: 0, max: 4 }), async (specs, q, searchBudget, extra) => {
        const { store, cleanup } = await factory({ searchBudget });
        try {
          const games = specs.map(toGame);
          for (const g of games) await store.create(g);
          const want = reference(games, q.filter, q.sort);
          const { items, pages } = await listAll(store, q.filter, q.sort, 1 + extra);
          expect(items.map((i) => i.cursor)).toEqual(want);
          for (const p of pages) {
            if (p.totalCountCapped) expect(p.totalCount).toBeLessThanOrEqual(want.length);
            else expect(p.totalCount).toBe(want.length);
          }
          for (const item of items) expect(item.game).toEqual(games.find((g) => g.id === item.game.id));
        } finally {
          await cleanup();
        }
      }),
      { numRuns: 400 },
    );
  });
}
