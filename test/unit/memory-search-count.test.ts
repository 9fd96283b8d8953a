import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchesFilter, type NormalizedFilter } from "../../src/domain/filter.js";
import { ALL_STATES, type GameRecord, Visibility } from "../../src/domain/game.js";
import type { ListQuery } from "../../src/store/game-store.js";
import { SearchIndex } from "../../src/store/memory/search-index.js";
import { cloneRecord } from "../../src/store/memory/clone.js";
import { ALL_SORTS, DUEL, filterOf, makeGame, PARTY, player, testCatalog } from "../support/games.js";

const REGIONS = ["eu", "us"];

// One step on the games: a new one, a change of something a filter looks at, or a removal.
const step = fc.oneof(
  fc.record({ kind: fc.constant("create" as const), type: fc.constantFrom(DUEL, PARTY), capacity: fc.integer({ min: 1, max: 5 }), region: fc.constantFrom(null, ...REGIONS) }),
  fc.record({
    kind: fc.constant("change" as const),
    pick: fc.nat(),
    state: fc.option(fc.constantFrom(...ALL_STATES)),
    visibility: fc.option(fc.constantFrom(Visibility.PUBLIC, Visibility.PRIVATE)),
    hostConnected: fc.option(fc.boolean()),
    seat: fc.integer({ min: -1, max: 1 }),
    label: fc.option(fc.integer({ min: 0, max: 3 })),
  }),
  fc.record({ kind: fc.constant("drop" as const), pick: fc.nat() }),
);

const filter: fc.Arbitrary<NormalizedFilter> = fc.record({
  gameTypes: fc.constantFrom<string[]>([DUEL], [PARTY], [DUEL, PARTY]),
  states: fc.option(fc.subarray([...ALL_STATES], { minLength: 1 })),
  visibility: fc.constantFrom(Visibility.PUBLIC, Visibility.PRIVATE),
  minFreeSeats: fc.integer({ min: 0, max: 3 }),
  regions: fc.option(fc.subarray([...REGIONS, "mars"], { minLength: 1 })),
  labels: fc.constant<NormalizedFilter["labels"]>([]),
  includeWaitingForHost: fc.boolean(),
}).map((f) => filterOf(f));

describe("SearchIndex totalCount", () => {
  it("is the number of matching games after any creates, changes and removals", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.array(filter, { minLength: 1, maxLength: 4 }), fc.constantFrom(...ALL_SORTS), (steps, filters, sort) => {
        const games = new Map<string, GameRecord>();
        const index = new SearchIndex(testCatalog, games, { scan: 5_000, count: 2_000, materialize: 0 });
        let n = 0;
        const live = () => [...games.values()];
        for (const s of steps) {
          if (s.kind === "create") {
            const g = makeGame({ id: `${s.type}_${n++}`, gameType: s.type, capacity: s.capacity, region: s.region, createdAt: 1_000 + n, players: [player("a", 1)] });
            games.set(g.id, g);
            index.sync(g);
          } else if (games.size > 0) {
            const g = live()[s.pick % games.size]!;
            if (s.kind === "drop") {
              games.delete(g.id);
              index.drop(g);
              continue;
            }
            if (s.state !== null) g.state = s.state;
            if (s.visibility !== null) g.visibility = s.visibility;
            if (s.hostConnected !== null) g.hostConnected = s.hostConnected;
            if (s.seat > 0 && g.players.length < g.capacity) g.players.push(player(`p${n++}`, 2));
            if (s.seat < 0 && g.players.length > 0) g.players.pop();
            if (s.label !== null) g.labels = { ...g.labels, rating: s.label, stakes: s.label };
            index.sync(g);
          }
          for (const f of filters) {
            const q: ListQuery = { filter: f, sort, first: 5, after: null };
            const page = index.list(q);
            expect(page.totalCountCapped).toBe(false);
            expect(page.totalCount).toBe(live().filter((g) => matchesFilter(g, f)).length);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("cloneRecord", () => {
  it("copies records as structuredClone does, sharing nothing", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (settings, result) => {
        const g = { ...makeGame({ players: [player("a", 1), player("b", 2)] }), settings: { s: settings } as Record<string, unknown>, extra: result };
        const c = cloneRecord(g);
        expect(c).toStrictEqual(structuredClone(g));
        expect(JSON.stringify(c)).toBe(JSON.stringify(structuredClone(g)));
        expect(c.players[0]).not.toBe(g.players[0]);
        expect(c.settings).not.toBe(g.settings);
        expect(c.labels).not.toBe(g.labels);
      }),
    );
  });

  it("keeps a __proto__ key as an own property and gives null-prototype objects Object's prototype", () => {
    const src = JSON.parse('{"__proto__": {"x": 1}, "a": [1, {"b": null}]}') as Record<string, unknown>;
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { k: 1 });
    const c = cloneRecord({ src, bare });
    expect(c).toStrictEqual(structuredClone({ src, bare }));
    expect(Object.hasOwn(c.src, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(c.src)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(c.bare)).toBe(Object.prototype);
  });

  it("hands anything else to structuredClone: Dates, Maps, cycles, and its errors", () => {
    const d = { when: new Date(5), m: new Map([[1, 2]]), arr: [1, , 3] };
    const c = cloneRecord(d);
    expect(c).toStrictEqual(structuredClone(d));
    expect(c.when).not.toBe(d.when);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const cc = cloneRecord(cyclic);
    expect(cc.self).toBe(cc);
    expect(() => cloneRecord({ f: () => 1 })).toThrow(/could not be cloned/);
  });
});
