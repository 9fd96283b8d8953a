import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/domain/errors.js";
import { SortDirection, SortField, sortWeights } from "../../src/domain/filter.js";
import { GameState, Visibility } from "../../src/domain/game.js";
import { createKeys } from "../../src/store/redis/keys.js";
import { type ListPlan, planList } from "../../src/store/redis/list-plan.js";
import { DUEL, filterOf, sortOf, testCatalog } from "../support/games.js";

const keys = createKeys("mm");
const kinds = testCatalog.get(DUEL)!.labels;
const plan = (f: Parameters<typeof filterOf>[0], sort = sortOf()) => planList(keys, DUEL, kinds, filterOf(f), sort, "tok");

/** The plan with KEYS positions replaced by key names, as Redis will run it. */
const commands = (p: ListPlan | null) =>
  p?.ops.map((op) => [op.c, ...op.a.map((a) => (typeof a === "number" ? p.keys[a - 1] : a))].join(" "));

describe("list plan", () => {
  it("starts from the visibility index when no state is asked for", () => {
    const p = plan({});
    expect(commands(p)).toEqual(["ZINTERSTORE mm:{duel}:tmp:tok:r 1 mm:{duel}:ix:vis:PUBLIC WEIGHTS 1"]);
    expect(p!.tempCount).toBe(2);
    expect(p!.keys.slice(0, 2)).toEqual(["mm:{duel}:tmp:tok:r", "mm:{duel}:tmp:tok:t"]);
  });

  it("unions states and regions, and filters visibility at weight 0", () => {
    expect(commands(plan({ states: [GameState.OPEN, GameState.FULL], regions: ["eu", "us"], visibility: Visibility.PRIVATE }))).toEqual([
      "ZUNIONSTORE mm:{duel}:tmp:tok:2 2 mm:{duel}:ix:state:OPEN mm:{duel}:ix:state:FULL",
      "ZUNIONSTORE mm:{duel}:tmp:tok:3 2 mm:{duel}:ix:region:eu mm:{duel}:ix:region:us",
      "ZINTERSTORE mm:{duel}:tmp:tok:r 3 mm:{duel}:tmp:tok:2 mm:{duel}:ix:vis:PRIVATE mm:{duel}:tmp:tok:3 WEIGHTS 1 0 0",
    ]);
  });

  it("scores by free seats × 2^42 + createdAt for the FREE_SEATS sort, reusing the minFreeSeats range", () => {
    const sort = sortOf(SortField.FREE_SEATS, SortDirection.DESC);
    expect(commands(plan({ minFreeSeats: 2 }, sort))).toEqual([
      "ZRANGESTORE mm:{duel}:tmp:tok:2 mm:{duel}:ix:free 2 +inf BYSCORE",
      `ZINTERSTORE mm:{duel}:tmp:tok:r 2 mm:{duel}:ix:vis:PUBLIC mm:{duel}:tmp:tok:2 WEIGHTS 1 ${sortWeights.freeSeats}`,
    ]);
    expect(commands(plan({}, sort))).toEqual([
      `ZINTERSTORE mm:{duel}:tmp:tok:r 2 mm:{duel}:ix:vis:PUBLIC mm:{duel}:ix:free WEIGHTS 1 ${sortWeights.freeSeats}`,
    ]);
  });

  it("turns label filters into intersections, exclusive bounds and differences", () => {
    const p = plan({ labels: [{ key: "mode", eq: "a=b", ne: "x" }, { key: "rating", gt: 10, gte: 5, lte: 20, lt: 20, ne: 15 }] });
    expect(commands(p)).toEqual([
      "ZRANGESTORE mm:{duel}:tmp:tok:2 mm:{duel}:ix:num:rating (10 (20 BYSCORE",
      "ZRANGESTORE mm:{duel}:tmp:tok:3 mm:{duel}:ix:num:rating 15 15 BYSCORE",
      "ZINTERSTORE mm:{duel}:tmp:tok:r 3 mm:{duel}:ix:vis:PUBLIC mm:{duel}:ix:lbl:mode=a%3Db mm:{duel}:tmp:tok:2 WEIGHTS 1 0 0",
      "ZDIFFSTORE mm:{duel}:tmp:tok:r 3 mm:{duel}:tmp:tok:r mm:{duel}:ix:lbl:mode=x mm:{duel}:tmp:tok:3",
    ]);
    expect(p!.tempCount).toBe(4);
    // On equal bounds the exclusive one is the tighter.
    expect(commands(plan({ labels: [{ key: "rating", gte: 5, gt: 5, lt: 8, lte: 8 }] }))![0]).toBe(
      "ZRANGESTORE mm:{duel}:tmp:tok:2 mm:{duel}:ix:num:rating (5 (8 BYSCORE",
    );
  });

  it("needs no round trip when nothing can match", () => {
    expect(plan({ states: [] })).toBeNull();
    expect(plan({ regions: [] })).toBeNull();
    expect(plan({ labels: [{ key: "mode", gt: 1 }] })).toBeNull();
    expect(plan({ labels: [{ key: "rating", eq: "high" }] })).toBeNull();
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
