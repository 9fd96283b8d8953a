import { thrownCode } from "../support/throws.js";
import { describe, expect, it } from "vitest";
import { createCatalog } from "../../src/domain/game-type.js";
import { ErrorCode, MatchmakerError } from "../../src/domain/errors.js";
import { matchesFilter, normalizeFilter, SortDirection, SortField, sortScore } from "../../src/domain/filter.js";
import { GameState, type GameRecord, Visibility } from "../../src/domain/game.js";
import { compareKeys, decodeCursor, encodeCursor } from "../../src/domain/paging.js";
import { parseCatalog } from "../../src/config/catalog.js";

const catalog = parseCatalog(
  `gameTypes:
  - { id: quiz, name: Quiz, minPlayers: 2, maxPlayers: 8, labels: { mode: string, skill: number } }
  - { id: duel, name: Duel, minPlayers: 2, maxPlayers: 2 }
`,
  "test.yaml",
);
const resolve = (id: string) => {
  const t = catalog.get(id);
  if (!t) throw new MatchmakerError(ErrorCode.UNKNOWN_GAME_TYPE, id);
  return t;
};
const norm = (f: Parameters<typeof normalizeFilter>[0]) => normalizeFilter(f, catalog.types, resolve);

const game = (over: Partial<GameRecord> = {}): GameRecord => ({
  id: "quiz_aaaaaaaaaaaaaaaa",
  gameType: "quiz",
  state: GameState.OPEN,
  creatorId: "a",
  players: [{ id: "a", name: "A", joinedAt: 1, confirmed: true, reservedUntil: null }],
  capacity: 4,
  hostConnected: true,
  visibility: Visibility.PUBLIC,
  joinCode: null,
  region: "eu",
  settings: {},
  labels: { mode: "ranked", skill: 1200 },
  result: null,
  serverToken: null,
  version: 1,
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_000,
  expiresAt: null,
  lastActivityAt: 1_700_000_000_000,
  ...over,
});

const codeOf = thrownCode;

describe("lobby filters", () => {
  it("defaults to public games of every type in every live state, whose host is connected", () => {
    expect(norm(undefined)).toEqual({
      gameTypes: ["quiz", "duel"],
      states: [GameState.CREATED, GameState.OPEN, GameState.FULL, GameState.IN_PROGRESS],
      visibility: Visibility.PUBLIC,
      minFreeSeats: 0,
      regions: null,
      labels: [],
      includeWaitingForHost: false,
    });
  });

  it("refuses undeclared labels, string labels with ranges, labels without a type, and bad numbers", () => {
    expect(codeOf(() => norm({ gameType: "quiz", labels: [{ key: "colour", eq: "red" }] }))).toBe(ErrorCode.BAD_USER_INPUT);
    expect(codeOf(() => norm({ gameType: "quiz", labels: [{ key: "mode", gt: 3 }] }))).toBe(ErrorCode.BAD_USER_INPUT);
    expect(codeOf(() => norm({ labels: [{ key: "skill", gt: 3 }] }))).toBe(ErrorCode.BAD_USER_INPUT);
    expect(codeOf(() => norm({ gameType: "quiz", labels: [{ key: "skill", eq: "lots" }] }))).toBe(ErrorCode.BAD_USER_INPUT);
    expect(codeOf(() => norm({ gameType: "quiz", labels: [{ key: "skill" }] }))).toBe(ErrorCode.BAD_USER_INPUT);
    expect(codeOf(() => norm({ minFreeSeats: -1 }))).toBe(ErrorCode.BAD_USER_INPUT);
    expect(codeOf(() => norm({ gameType: "chess" }))).toBe(ErrorCode.UNKNOWN_GAME_TYPE);
  });

  it("matches states, visibility, free seats, regions and labels", () => {
    const g = game();
    expect(matchesFilter(g, norm({}))).toBe(true);
    expect(matchesFilter(g, norm({ states: [GameState.FULL] }))).toBe(false);
    expect(matchesFilter(g, norm({ visibility: Visibility.PRIVATE }))).toBe(false);
    expect(matchesFilter(g, norm({ minFreeSeats: 3 }))).toBe(true);
    expect(matchesFilter(g, norm({ minFreeSeats: 4 }))).toBe(false);
    expect(matchesFilter(g, norm({ regions: ["us", "eu"] }))).toBe(true);
    expect(matchesFilter(game({ region: null }), norm({ regions: ["eu"] }))).toBe(false);
    expect(matchesFilter(g, norm({ gameType: "quiz", labels: [{ key: "skill", eq: "1200" }] }))).toBe(true);
    expect(matchesFilter(g, norm({ gameType: "quiz", labels: [{ key: "skill", gt: 1200 }] }))).toBe(false);
    expect(matchesFilter(g, norm({ gameType: "quiz", labels: [{ key: "skill", gte: 1200, lt: 1300 }] }))).toBe(true);
    expect(matchesFilter(g, norm({ gameType: "quiz", labels: [{ key: "mode", ne: "ranked" }] }))).toBe(false);
    expect(matchesFilter(game({ labels: {} }), norm({ gameType: "quiz", labels: [{ key: "mode", ne: "ranked" }] }))).toBe(
      true,
    );
    expect(matchesFilter(game({ labels: {} }), norm({ gameType: "quiz", labels: [{ key: "skill", lte: 5 }] }))).toBe(false);
    expect(matchesFilter(g, norm({ gameType: "duel" }))).toBe(false);
  });

  it("leaves games waiting for their host out unless asked for", () => {
    const waiting = game({ state: GameState.CREATED, hostConnected: false });
    expect(matchesFilter(waiting, norm({}))).toBe(false);
    expect(matchesFilter(waiting, norm({ states: [GameState.CREATED] }))).toBe(false);
    expect(matchesFilter(waiting, norm({ includeWaitingForHost: true }))).toBe(true);
    expect(matchesFilter(game({ state: GameState.FULL, hostConnected: false }), norm({ states: [GameState.FULL] }))).toBe(false);
  });

  it("orders by free seats first and creation time second", () => {
    const sort = { field: SortField.FREE_SEATS, direction: SortDirection.ASC };
    const older = game({ createdAt: 1_000, capacity: 8 });
    const newer = game({ createdAt: 2_000, capacity: 2 });
    expect(sortScore(newer, sort)).toBeLessThan(sortScore(older, sort));
    expect(sortScore(game({ createdAt: 1, capacity: 2 }), sort)).toBeLessThan(sortScore(game({ createdAt: 2, capacity: 2 }), sort));
  });
});

describe("cursors", () => {
  it("round-trip and refuse anything else with BAD_USER_INPUT", () => {
    const c = { score: 1_700_000_000_123, id: "quiz_x" };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(codeOf(() => decodeCursor("not-a-cursor"))).toBe(ErrorCode.BAD_USER_INPUT);
    expect(codeOf(() => decodeCursor(Buffer.from('{"a":1}').toString("base64url")))).toBe(ErrorCode.BAD_USER_INPUT);
  });

  it("break score ties by id, in both directions", () => {
    const a = { score: 5, id: "a" };
    const b = { score: 5, id: "b" };
    expect(compareKeys(a, b, SortDirection.ASC)).toBeLessThan(0);
    expect(compareKeys(a, b, SortDirection.DESC)).toBeGreaterThan(0);
  });
});

// Keep the fixture honest: the catalog above parses into the shape the filters expect.
it("test catalog declares the labels used above", () => {
  expect(createCatalog(catalog.types).get("quiz")!.labels).toEqual({ mode: "string", skill: "number" });
});
