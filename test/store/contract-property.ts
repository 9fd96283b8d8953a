import fc from "fast-check";
import { expect, it } from "vitest";
import type { LabelFilter, NormalizedFilter } from "../../src/domain/filter.js";
import { ALL_STATES, type GameRecord, type LabelValue, Visibility } from "../../src/domain/game.js";
import { ALL_SORTS, DUEL, makeGame, PARTY, player, testCatalog } from "../support/games.js";
import { listAll, reference, type StoreFactory } from "./contract-support.js";

const TYPES = [DUEL, PARTY] as const;
const REGIONS = ["eu", "us", "asia"];
// Few distinct values so filters hit, miss and tie often.
const STRINGS = ["ranked", "casual", "a:b{c}=d"];
const NUMBERS = [-1, 0, 1.5, 1500, 2100];
const BASE_TIME = 1_763_000_000_000;

const labelsFor = (type: string) =>
  fc.dictionary(
    fc.constantFrom(...Object.keys(testCatalog.get(type)!.labels)),
    fc.oneof(fc.constantFrom(...STRINGS), fc.constantFrom(...NUMBERS)) as fc.Arbitrary<LabelValue>,
  ).map((labels) => {
    // Values of the declared kind only, as the service validates them.
    const kinds = testCatalog.get(type)!.labels;
    return Object.fromEntries(Object.entries(labels).filter(([k, v]) => typeof v === kinds[k]));
  });

const gameSpec = fc
  .record({
    type: fc.constantFrom(...TYPES),
    state: fc.constantFrom(...ALL_STATES),
    capacity: fc.integer({ min: 1, max: 5 }),
    seatedRatio: fc.double({ min: 0, max: 1, noNaN: true }),
    visibility: mostly(Visibility.PUBLIC, fc.constant(Visibility.PRIVATE)),
    region: fc.constantFrom(null, ...REGIONS),
    createdAt: fc.integer({ min: 0, max: 6 }),
  })
  .chain((s) => labelsFor(s.type).map((labels) => ({ ...s, labels })));

/** `usual` three times out of four, else a value from `other`. */
function mostly<T, U>(usual: T, other: fc.Arbitrary<U>): fc.Arbitrary<T | U> {
  return fc.oneof({ arbitrary: fc.constant(usual), weight: 3 }, { arbitrary: other, weight: 1 });
}
const opt = <T>(a: fc.Arbitrary<T>) => mostly(undefined, a);

function labelFilterFor(type: string): fc.Arbitrary<LabelFilter> {
  const kinds = testCatalog.get(type)!.labels;
  return fc.constantFrom(...Object.keys(kinds)).chain<LabelFilter>((key) =>
    kinds[key] === "string"
      ? fc.record({ key: fc.constant(key), eq: opt(fc.constantFrom(...STRINGS)), ne: opt(fc.constantFrom(...STRINGS)) })
      : fc.record({
          key: fc.constant(key),
          eq: opt(fc.constantFrom(...NUMBERS)),
          ne: opt(fc.constantFrom(...NUMBERS)),
          gt: opt(fc.constantFrom(...NUMBERS)),
          gte: opt(fc.constantFrom(...NUMBERS)),
          lt: opt(fc.constantFrom(...NUMBERS)),
          lte: opt(fc.constantFrom(...NUMBERS)),
        }),
  );
}

const common = fc.record({
  states: mostly(null, fc.subarray([...ALL_STATES])),
  visibility: mostly(Visibility.PUBLIC, fc.constant(Visibility.PRIVATE)),
  minFreeSeats: mostly(0, fc.integer({ min: 1, max: 4 })),
  regions: mostly(null, fc.subarray([...REGIONS, "mars"], { minLength: 1 })),
  includeWaitingForHost: fc.boolean(),
});

// Label filters need a single game type, as normalizeFilter demands.
const filterArb: fc.Arbitrary<NormalizedFilter> = fc.oneof(
  fc.record({ c: common, gameTypes: fc.subarray([...TYPES], { minLength: 1 }) }).map(({ c, gameTypes }) => ({ ...c, gameTypes, labels: [] })),
  fc
    .constantFrom(...TYPES)
    .chain((type) => fc.record({ c: common, labels: fc.array(labelFilterFor(type), { maxLength: 2 }) }).map(({ c, labels }) => ({ ...c, gameTypes: [type], labels }))),
);

type GameSpec = typeof gameSpec extends fc.Arbitrary<infer T> ? T : never;

function toGame(spec: GameSpec, i: number): GameRecord {
  const seated = Math.round(spec.seatedRatio * spec.capacity);
  return makeGame({
    id: `${spec.type}_g${i}`,
    gameType: spec.type,
    state: spec.state,
    capacity: spec.capacity,
    players: Array.from({ length: seated }, (_, k) => player(k === 0 ? "alice" : `p${k}`, BASE_TIME)),
    visibility: spec.visibility,
    // Join codes are unique among live games.
    joinCode: spec.visibility === Visibility.PRIVATE ? `code${i}` : null,
    region: spec.region,
    labels: spec.labels,
    createdAt: BASE_TIME + spec.createdAt,
    // What the store computes on create, so a listed game must equal this record exactly.
    expiresAt: BASE_TIME + spec.createdAt + testCatalog.get(spec.type)!.stateTimeouts[spec.state] * 1_000,
  });
}

/** Random games and filters: every page sequence equals the reference (matchesFilter + sortScore + id order). */
export function describeListProperty(factory: StoreFactory): void {
  it("list agrees with the reference semantics on random games and filters", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(gameSpec, { minLength: 3, maxLength: 20 }),
        filterArb,
        fc.constantFrom(...ALL_SORTS),
        fc.integer({ min: 1, max: 4 }),
        async (specs, filter, sort, first) => {
          const { store, cleanup } = await factory();
          try {
            const games = specs.map(toGame);
            for (const g of games) await store.create(g);
            const want = reference(games, filter, sort);
            const { items, pages } = await listAll(store, filter, sort, first);
            expect(items.map((i) => i.cursor)).toEqual(want);
            for (const p of pages) expect(p.totalCount).toBe(want.length);
            for (const item of items) expect(item.game).toEqual(games.find((g) => g.id === item.game.id));
          } finally {
            await cleanup();
          }
        },
      ),
      { numRuns: 30 },
    );
  });
}
