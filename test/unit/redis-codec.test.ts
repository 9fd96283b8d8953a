import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type GameRecord, GameState, type LabelValue, type PlayerRecord, Visibility } from "../../src/domain/game.js";
import { decodeGame, encodeGame, type GameIndexes } from "../../src/store/redis/codec.js";

// The decoder as it was before the single-pass rewrite: the reference the new one must match.
function referenceDecode(flat: readonly string[]): GameRecord {
  const list = (raw: string | undefined): string[] => {
    const v: unknown = raw === undefined ? [] : JSON.parse(raw);
    return Array.isArray(v) ? (v as string[]) : [];
  };
  const object = <T>(raw: string | undefined): T => {
    const v: unknown = raw === undefined ? {} : JSON.parse(raw);
    return (v !== null && typeof v === "object" && !Array.isArray(v) ? v : {}) as T;
  };
  const h = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) h.set(flat[i]!, flat[i + 1]!);
  const req = (field: string): string => {
    const v = h.get(field);
    if (v === undefined) throw new Error(`Stored game is missing field "${field}".`);
    return v;
  };
  const opt = (field: string): string | null => h.get(field) ?? null;
  const num = (field: string): number | null => {
    const v = opt(field);
    return v === null ? null : Number(v);
  };
  const player = (json: string, reservation: string | undefined): PlayerRecord => {
    const p = JSON.parse(json) as Pick<PlayerRecord, "id" | "name" | "joinedAt">;
    const confirmed = reservation === undefined;
    const reservedUntil = confirmed || reservation === "-" ? null : Number(reservation);
    return { id: p.id, name: p.name, joinedAt: p.joinedAt, confirmed, reservedUntil };
  };
  const result = opt("result");
  return {
    id: req("id"),
    gameType: req("gameType"),
    state: req("state") as GameState,
    creatorId: req("creatorId"),
    players: list(h.get("pids")).map((id) => player(req("p:" + id), h.get("r:" + id))),
    capacity: Number(req("capacity")),
    visibility: req("visibility") as Visibility,
    joinCode: opt("joinCode"),
    region: opt("region"),
    settings: object<Record<string, unknown>>(h.get("settings")),
    labels: Object.fromEntries(
      [...h].filter(([f]) => f.startsWith("l:")).map(([f, v]) => [f.slice(2), JSON.parse(v) as LabelValue]),
    ),
    result: result === null ? null : (JSON.parse(result) as Record<string, string>),
    serverToken: opt("serverToken"),
    hostConnected: !h.has("waitIx"),
    version: Number(req("version")),
    createdAt: Number(req("createdAt")),
    updatedAt: Number(req("updatedAt")),
    expiresAt: num("expiresAt"),
    lastActivityAt: Number(req("lastActivityAt")),
  };
}

const ix = (waiting: boolean): GameIndexes => ({
  visibility: "vis",
  region: null,
  labels: [],
  quickJoin: ["qj"],
  codes: "codes",
  waiting: waiting ? "wait" : null,
  tombstone: "gone",
});

const playerArb = fc.record({
  id: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("__proto__", "p:x", "r:", "l:a")),
  name: fc.string({ maxLength: 8 }),
  joinedAt: fc.integer({ min: 0, max: 2 ** 42 }),
  confirmed: fc.boolean(),
  reservedUntil: fc.option(fc.integer({ min: 0, max: 2 ** 42 })),
});
const labelKey = fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom("__proto__", "constructor", "1", "l:x", ""));
const gameArb = fc.record({
  id: fc.string({ minLength: 1, maxLength: 10 }),
  gameType: fc.constantFrom("quiz", "duel"),
  state: fc.constantFrom(...Object.values(GameState)),
  creatorId: fc.string({ maxLength: 6 }),
  players: fc.uniqueArray(playerArb, { maxLength: 5, selector: (p) => p.id }),
  capacity: fc.integer({ min: 1, max: 16 }),
  visibility: fc.constantFrom(Visibility.PUBLIC, Visibility.PRIVATE),
  joinCode: fc.option(fc.string({ maxLength: 6 })),
  region: fc.option(fc.constantFrom("eu", "us")),
  settings: fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })),
  labels: fc.dictionary(labelKey, fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxKeys: 4 }),
  result: fc.option(fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 3 })),
  serverToken: fc.option(fc.string({ maxLength: 6 })),
  hostConnected: fc.boolean(),
  version: fc.integer({ min: 1, max: 1000 }),
  createdAt: fc.integer({ min: 0, max: 2 ** 42 }),
  updatedAt: fc.integer({ min: 0, max: 2 ** 42 }),
  expiresAt: fc.option(fc.integer({ min: 0, max: 2 ** 42 })),
  lastActivityAt: fc.integer({ min: 0, max: 2 ** 42 }),
});

/** The hash as a script leaves it: encodeGame's fields plus the ones the scripts write, in any order. */
function storedHash(g: GameRecord, order: number[]): string[] {
  const f = encodeGame({ ...g, players: g.players.map((p) => (p.confirmed ? { ...p, reservedUntil: null } : p)) }, ix(!g.hostConnected));
  const pairs: [string, string][] = [];
  for (let i = 0; i < f.length; i += 2) pairs.push([f[i]!, f[i + 1]!]);
  pairs.push(["version", String(g.version)], ["lastActivityAt", String(g.lastActivityAt)]);
  if (g.expiresAt !== null) pairs.push(["expiresAt", String(g.expiresAt)]);
  // HSET of a field already there keeps one field with the last value.
  const byField = new Map(pairs);
  const unique = [...byField];
  const shuffled = order.length > 0 ? unique.map((p, i) => ({ p, k: order[i % order.length]! + i / 1000 })).sort((a, b) => a.k - b.k).map((x) => x.p) : unique;
  return shuffled.flat();
}

describe("decodeGame", () => {
  it("decodes every hash exactly as the Map-based decoder did, in any field order", () => {
    fc.assert(
      fc.property(gameArb, fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 60 }), (g, order) => {
        const flat = storedHash(g as GameRecord, order);
        const got = decodeGame(flat);
        expect(got).toStrictEqual(referenceDecode(flat));
        expect(Object.keys(got.labels)).toEqual(Object.keys(referenceDecode(flat).labels));
        expect(Object.getPrototypeOf(got.labels)).toBe(Object.prototype);
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips a game, a __proto__ label staying an own property", () => {
    const g: GameRecord = {
      id: "quiz_1",
      gameType: "quiz",
      state: GameState.OPEN,
      creatorId: "a",
      players: [
        { id: "a", name: "A", joinedAt: 1, confirmed: true, reservedUntil: null },
        { id: "b", name: "B", joinedAt: 2, confirmed: false, reservedUntil: 99 },
        { id: "c", name: "C", joinedAt: 3, confirmed: false, reservedUntil: null },
      ],
      capacity: 4,
      visibility: Visibility.PUBLIC,
      joinCode: null,
      region: "eu",
      settings: { rounds: 3 },
      labels: JSON.parse('{"__proto__": "x", "skill": 1200}') as Record<string, LabelValue>,
      result: null,
      serverToken: "t",
      hostConnected: false,
      version: 4,
      createdAt: 10,
      updatedAt: 20,
      expiresAt: null,
      lastActivityAt: 30,
    };
    const got = decodeGame(storedHash(g, []));
    expect(got).toStrictEqual(g);
    expect(Object.hasOwn(got.labels, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(got.labels)).toBe(Object.prototype);
  });

  it("round-trips a matched game's teams, and leaves `match` out of any other game", () => {
    const base = decodeGame(storedHash(fc.sample(gameArb, { numRuns: 1, seed: 7 })[0] as GameRecord, []));
    expect(Object.hasOwn(base, "match")).toBe(false);
    const matched: GameRecord = { ...base, match: { queueId: "ranked", teams: [["a"], ["b", "c"]], teamRatings: [1500, 1512.5], teamDifference: 12.5, ratingSpread: 40 } };
    expect(decodeGame(storedHash(matched, [3, 1, 2]))).toStrictEqual(matched);
  });

  it("names the same missing field as before", () => {
    const g = fc.sample(gameArb, { numRuns: 1, seed: 7 })[0] as GameRecord;
    const full = storedHash({ ...g, players: [{ id: "a", name: "A", joinedAt: 1, confirmed: true, reservedUntil: null }] }, []);
    const fields = full.filter((_, i) => i % 2 === 0);
    for (const drop of fields) {
      const at = full.indexOf(drop);
      const flat = [...full.slice(0, at), ...full.slice(at + 2)];
      let want: unknown = null;
      let got: unknown = null;
      try {
        referenceDecode(flat);
      } catch (e) {
        want = (e as Error).message;
      }
      try {
        decodeGame(flat);
      } catch (e) {
        got = (e as Error).message;
      }
      expect(got, drop).toBe(want);
    }
    expect(() => decodeGame([])).toThrow('Stored game is missing field "id".');
  });
});
