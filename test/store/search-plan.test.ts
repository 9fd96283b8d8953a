import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/domain/errors.js";
import { GameState, Visibility } from "../../src/domain/game.js";
import { SortDirection, SortField, sortWeights } from "../../src/domain/sort.js";
import { createKeys } from "../../src/store/redis/keys.js";
import { type PlanBody, planSearch, type Pred } from "../../src/store/redis/search-plan.js";
import { DEFAULT_REDIS_SEARCH_BUDGET } from "../../src/store/search-budget.js";
import { DUEL, filterOf, sortOf, testCatalog } from "../support/games.js";

const keys = createKeys("mm");
const kinds = testCatalog.get(DUEL)!.labels;
const plan = (f: Parameters<typeof filterOf>[0], sort = sortOf()) =>
  planSearch(keys, DUEL, kinds, filterOf({ gameTypes: [DUEL], ...f }), sort, DEFAULT_REDIS_SEARCH_BUDGET);

/** The conditions with KEYS positions replaced by key names (without the "mm:{duel}:ix:" prefix). */
function named(p: ReturnType<typeof plan>): (Record<string, unknown> & { t: string })[] {
  const name = (k: number) => p!.keys[k - 1]!.replace("mm:{duel}:ix:", "");
  return p!.body.preds.map((c: Pred) => ({ ...c, k: Array.isArray(c.k) ? c.k.map(name) : name(c.k) }));
}

describe("search plan", () => {
  it("always checks visibility, and names every index once", () => {
    const p = plan({ states: [GameState.OPEN, GameState.FULL], regions: ["eu"] });
    expect(named(p)).toEqual([
      { t: "in", k: ["vis:PUBLIC"], o: "created" },
      { t: "in", k: ["state:OPEN", "state:FULL"], o: "created" },
      { t: "in", k: ["region:eu"], o: "created" },
    ]);
    expect(new Set(p!.keys).size).toBe(p!.keys.length);
    expect(p!.body).toMatchObject<Partial<PlanBody>>({ sort: "created", desc: false, w: sortWeights.freeSeats, minFree: 0 });
  });

  it("uses the quick-join index when the filter implies its membership, and says what it settles", () => {
    const lobby = { states: [GameState.OPEN], minFreeSeats: 2, regions: ["eu", "us"] };
    const qj = named(plan(lobby)).find((c) => c.k instanceof Array && String(c.k[0]).startsWith("qj"));
    // visibility (1), region (3) and free seats (4) hold for every member from 2 × weight up.
    expect(qj).toEqual({ t: "in", k: ["qj:region:eu", "qj:region:us"], o: "free", lo: 2 * sortWeights.freeSeats, implies: [1, 4, 3] });
    for (const off of [{ states: null }, { states: [GameState.FULL] }, { minFreeSeats: 0 }, { visibility: Visibility.PRIVATE }]) {
      expect(named(plan({ ...lobby, ...off })).some((c) => c.o === "free"), JSON.stringify(off)).toBe(false);
    }
  });

  it("folds numeric comparisons into one range per filter, tighter bound winning, exclusive on a tie", () => {
    expect(named(plan({ labels: [{ key: "rating", gt: 10, gte: 5, lte: 20, lt: 20, ne: 15, between: [0, 30] }] }))[1]).toEqual({
      t: "num", k: "num:rating", lo: 10, lx: true, hi: 20, hx: true, ne: [15], need: true,
    });
    expect(named(plan({ labels: [{ key: "rating", gte: -Infinity, lte: Infinity }] }))[1]).toEqual({ t: "num", k: "num:rating", need: true });
    expect(named(plan({ labels: [{ key: "rating", ne: 3 }] }))[1]).toEqual({ t: "num", k: "num:rating", ne: [3], need: false });
    expect(named(plan({ labels: [{ key: "mode", eq: "a=b", ne: "x" }] })).slice(1)).toEqual([
      { t: "in", k: ["lbl:mode=a%3Db"], o: "created" },
      { t: "out", k: ["lbl:mode=x"] },
    ]);
  });

  it("bounds a label sort's walk by the filter's range on that label", () => {
    const p = plan({ labels: [{ key: "rating", between: [100, 200] }, { key: "rating", gt: 150, ne: 170 }] }, {
      field: SortField.NEAREST, direction: SortDirection.ASC, label: "rating", target: 120,
    });
    expect(p!.body).toMatchObject({ sort: "nearest", target: 120, sortPred: 4 });
    // Both label conditions are within the walk's range; only the one without `ne` is settled by it.
    expect(named(p)[3]).toEqual({ t: "num", k: "num:rating", lo: 150, lx: true, hi: 200, need: true, implies: [2] });
  });

  it("needs no round trip when nothing can match", () => {
    const none = [
      { states: [] },
      { regions: [] },
      { labels: [{ key: "mode", gt: 1 }] },
      { labels: [{ key: "rating", eq: "high" }] },
      { labels: [{ key: "rating", between: [3, 1] }] },
      { labels: [{ key: "rating", between: [1] }] },
      { labels: [{ key: "rating", gt: 5, lt: 5 }] },
      { labels: [{ key: "rating", gt: Infinity }] },
      { labels: [{ key: "rating", lt: Number.NaN }] },
    ];
    for (const f of none) expect(plan(f as Parameters<typeof filterOf>[0]), JSON.stringify(f)).toBeNull();
  });

  it("refuses labels the type does not declare (they are not indexed)", () => {
    expect(() => plan({ labels: [{ key: "colour", eq: "red" }] })).toThrow(expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT }));
  });
});

describe("keys", () => {
  it("puts the game type in the hash tag and refuses key-breaking ids", () => {
    expect(keys.game(DUEL, "duel_abc")).toBe("mm:{duel}:game:duel_abc");
    expect(keys.gameScriptKeys(DUEL, "duel_abc").slice(1, 3)).toEqual(["mm:{duel}:ix:free", "mm:{duel}:ix:state:CREATED"]);
    for (const bad of ["a:b", "a{b", "a}b", ""]) {
      expect(() => keys.game(DUEL, bad)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT }));
      expect(() => keys.freeIndex(bad)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT }));
    }
    expect(() => createKeys("m{m}")).toThrow(expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT }));
  });
});
