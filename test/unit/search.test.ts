import { thrownCode } from "../support/throws.js";
import { describe, expect, it } from "vitest";
import { parseCatalog } from "../../src/config/catalog.js";
import { ErrorCode, MatchmakerError } from "../../src/domain/errors.js";
import { matchesFilter, normalizeFilter } from "../../src/domain/filter.js";
import { type GameRecord, GameState, Visibility } from "../../src/domain/game.js";
import { type Cursor, decodeCursor, encodeCursor, mergePages, type Page } from "../../src/domain/paging.js";
import { normalizeSort, SortDirection, SortField, sortKey } from "../../src/domain/sort.js";

const catalog = parseCatalog(
  `gameTypes:
  - { id: quiz, name: Quiz, minPlayers: 2, maxPlayers: 8, labels: { mode: string, skill: number } }
  - { id: duel, name: Duel, minPlayers: 2, maxPlayers: 2, labels: { skill: number } }
  - { id: plain, name: Plain, minPlayers: 2, maxPlayers: 2 }
`,
  "test.yaml",
);
const quiz = catalog.get("quiz")!;
const codeOf = thrownCode;
const norm = (f: Parameters<typeof normalizeFilter>[0]) =>
  normalizeFilter(f, catalog.types, (id) => catalog.get(id) ?? (() => { throw new MatchmakerError(ErrorCode.UNKNOWN_GAME_TYPE, id); })());

const game = (labels: GameRecord["labels"], over: Partial<GameRecord> = {}): GameRecord => ({
  id: "quiz_a", gameType: "quiz", state: GameState.OPEN, creatorId: "a",
  players: [{ id: "a", name: "A", joinedAt: 1, confirmed: true, reservedUntil: null }],
  capacity: 4, visibility: Visibility.PUBLIC, joinCode: null, region: "eu", settings: {}, labels, result: null,
  serverToken: null, hostConnected: true, version: 1, createdAt: 1_000, updatedAt: 1_000, expiresAt: null, lastActivityAt: 1_000, ...over,
});

describe("between", () => {
  it("is inclusive at both ends and needs a number", () => {
    const f = norm({ gameType: "quiz", labels: [{ key: "skill", between: [1000, 1400] }] });
    expect([999, 1000, 1400, 1401].map((skill) => matchesFilter(game({ skill }), f))).toEqual([false, true, true, false]);
    expect(matchesFilter(game({}), f)).toBe(false);
  });

  it("is refused on string labels, reversed, or with other than two numbers", () => {
    for (const between of [[3, 1], [1], [1, 2, 3]]) {
      expect(codeOf(() => norm({ gameType: "quiz", labels: [{ key: "skill", between }] })), String(between)).toBe(ErrorCode.BAD_USER_INPUT);
    }
    expect(codeOf(() => norm({ gameType: "quiz", labels: [{ key: "mode", between: [1, 2] }] }))).toBe(ErrorCode.BAD_USER_INPUT);
  });
});

describe("sorts", () => {
  const label = { field: SortField.LABEL, direction: SortDirection.ASC, label: "skill" };
  const near = { field: SortField.NEAREST, direction: SortDirection.ASC, label: "skill", target: 1200 };

  it("keys games by label value or distance (value as tie), leaving out games without the label", () => {
    expect(sortKey(game({ skill: 1100 }), label)).toEqual({ score: 1100, id: "quiz_a" });
    expect(sortKey(game({ skill: 1100 }), near)).toEqual({ score: 100, tie: 1100, id: "quiz_a" });
    expect(sortKey(game({ mode: "x" }), near)).toBeNull();
    expect(sortKey(game({}, { capacity: 4 }), { field: SortField.FREE_SEATS, direction: SortDirection.ASC })!.score).toBe(3 * 2 ** 42 + 1_000);
  });

  it("accepts a label every listed type declares as a number, and nothing else", () => {
    expect(normalizeSort(near, [quiz, catalog.get("duel")])).toEqual(near);
    expect(normalizeSort(null, [quiz])).toEqual({ field: SortField.CREATED_AT, direction: SortDirection.ASC });
    const bad = [
      [{ ...label, label: "colour" }, [quiz]],
      [{ ...label, label: "mode" }, [quiz]],
      [label, [quiz, catalog.get("plain")]],
      [{ ...label, label: null }, [quiz]],
      [{ ...label, target: 3 }, [quiz]],
      [{ ...near, target: null }, [quiz]],
      [{ ...near, direction: SortDirection.DESC }, [quiz]],
      [{ field: SortField.CREATED_AT, direction: SortDirection.ASC, label: "skill" }, [quiz]],
    ] as const;
    for (const [sort, types] of bad) expect(codeOf(() => normalizeSort(sort, types)), JSON.stringify(sort)).toBe(ErrorCode.BAD_USER_INPUT);
  });
});

describe("cursors and merged pages", () => {
  it("round-trip with a tie", () => {
    const c = { score: 12.5, id: "quiz_x", tie: -3 };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
  });

  const item = (score: number, id: string) => ({ game: game({}, { id }), cursor: { score, id } });
  const page = (items: ReturnType<typeof item>[], more: boolean, endCursor: Cursor | null = items.at(-1)?.cursor ?? null): Page => ({
    items, totalCount: items.length, totalCountCapped: false, hasNextPage: more, endCursor,
  });

  it("return nothing past the earliest position a type stopped scanning at", () => {
    const stoppedEarly = page([item(1, "a")], true, { score: 3, id: "s" });
    const full = page([item(2, "b"), item(4, "c"), item(5, "d")], true);
    const merged = mergePages([stoppedEarly, full], 3, SortDirection.ASC);
    expect(merged.items.map((i) => i.cursor.id)).toEqual(["a", "b"]);
    expect([merged.hasNextPage, merged.endCursor]).toEqual([true, { score: 3, id: "s" }]);
  });

  it("end at the last item when the page is full or nothing follows", () => {
    const merged = mergePages([page([item(1, "a"), item(3, "c")], false), page([item(2, "b")], false)], 2, SortDirection.ASC);
    expect([merged.items.length, merged.hasNextPage, merged.endCursor]).toEqual([2, true, { score: 2, id: "b" }]);
    const done = mergePages([page([item(1, "a")], false), page([], false)], 5, SortDirection.ASC);
    expect([done.hasNextPage, done.endCursor, done.totalCount]).toEqual([false, { score: 1, id: "a" }, 1]);
  });
});
