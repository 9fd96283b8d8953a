import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/domain/errors.js";
import { SortDirection, SortField } from "../../src/domain/filter.js";
import { type GameRecord, GameState, Visibility } from "../../src/domain/game.js";
import type { GameStore } from "../../src/store/game-store.js";
import { ALL_SORTS, DUEL, filterOf, joinCmd, makeGame, PARTY, player, sortOf, tick } from "../support/games.js";
import { ids, listAll, reference, snapshotIds, type StoreFactory, useStore } from "./contract-support.js";

const seated = (n: number) => Array.from({ length: n }, (_, i) => player(i === 0 ? "alice" : `p${i}`));

/** Eight DUEL games with known attributes, created oldest first (g[0] … g[7]). */
async function seed(store: GameStore): Promise<GameRecord[]> {
  const specs: Partial<GameRecord>[] = [
    { state: GameState.OPEN, capacity: 4, players: seated(1), region: "eu", labels: { mode: "ranked", rating: 1500 } },
    { state: GameState.OPEN, capacity: 4, players: seated(3), region: "us", labels: { mode: "casual", rating: 900 } },
    { state: GameState.FULL, capacity: 2, players: seated(2), region: "eu", labels: { mode: "ranked", rating: 2100 } },
    { state: GameState.CREATED, capacity: 6, players: seated(1), region: null, labels: { mode: "casual" } },
    { state: GameState.IN_PROGRESS, capacity: 4, players: seated(4), region: "asia", labels: { rating: 1500 } },
    { state: GameState.OPEN, capacity: 3, players: seated(1), visibility: Visibility.PRIVATE, joinCode: "x", labels: { mode: "ranked", rating: 1800 } },
    { state: GameState.ENDED, capacity: 2, players: seated(2), region: "eu", labels: { mode: "ranked", rating: -3.5 } },
    { state: GameState.OPEN, capacity: 5, players: seated(2), region: "us", labels: { mode: "Ranked", rating: 1500.25 } },
  ];
  const games: GameRecord[] = [];
  for (const s of specs) games.push((await store.create(makeGame(s))).game);
  return games;
}

export function describeLists(factory: StoreFactory): void {
  const store = useStore(factory);

  describe("list filters", () => {
    const pick = (games: GameRecord[], ...at: number[]) => at.map((i) => games[i]!.id);
    const cases: [string, Parameters<typeof filterOf>[0], number[]][] = [
      ["all public", {}, [0, 1, 2, 3, 4, 6, 7]],
      ["states", { states: [GameState.OPEN, GameState.CREATED] }, [0, 1, 3, 7]],
      ["private", { visibility: Visibility.PRIVATE }, [5]],
      ["minFreeSeats", { minFreeSeats: 3 }, [0, 3, 7]],
      ["regions", { regions: ["eu", "asia"] }, [0, 2, 4, 6]],
      ["string label eq (case-sensitive)", { gameTypes: [DUEL], labels: [{ key: "mode", eq: "ranked" }] }, [0, 2, 6]],
      ["string label ne (missing label passes)", { gameTypes: [DUEL], labels: [{ key: "mode", ne: "ranked" }] }, [1, 3, 4, 7]],
      ["numeric gt", { gameTypes: [DUEL], labels: [{ key: "rating", gt: 1500 }] }, [2, 7]],
      ["numeric gte", { gameTypes: [DUEL], labels: [{ key: "rating", gte: 1500 }] }, [0, 2, 4, 7]],
      ["numeric lt", { gameTypes: [DUEL], labels: [{ key: "rating", lt: 1500 }] }, [1, 6]],
      ["numeric lte", { gameTypes: [DUEL], labels: [{ key: "rating", lte: 1500 }] }, [0, 1, 4, 6]],
      ["numeric eq", { gameTypes: [DUEL], labels: [{ key: "rating", eq: 1500 }] }, [0, 4]],
      ["numeric ne", { gameTypes: [DUEL], labels: [{ key: "rating", ne: 1500 }] }, [1, 2, 3, 6, 7]],
      ["numeric range", { gameTypes: [DUEL], labels: [{ key: "rating", gt: 900, lte: 2100, ne: 1500 }] }, [2, 7]],
      [
        "everything at once",
        { gameTypes: [DUEL], states: [GameState.OPEN, GameState.FULL], regions: ["eu", "us"], minFreeSeats: 1, labels: [{ key: "mode", ne: "casual" }, { key: "rating", gte: 1000 }] },
        [0, 7],
      ],
      ["no states", { states: [] }, []],
      ["other type only", { gameTypes: [PARTY] }, []],
    ];
    for (const [name, overrides, expected] of cases) {
      it(name, async () => {
        const games = await seed(store());
        const f = filterOf(overrides);
        const got = await snapshotIds(store(), f, sortOf());
        expect(got).toEqual(pick(games, ...expected));
        expect(got).toEqual(reference(games, f, sortOf()).map((c) => c.id));
      });
    }

    it("rejects a label the type does not declare, or lists nothing for it", async () => {
      await seed(store());
      const f = filterOf({ gameTypes: [DUEL], labels: [{ key: "undeclared", eq: "x" }] });
      const out = await store().list({ filter: f, sort: sortOf(), first: 10, after: null }).then(
        (p) => p.items.length,
        (e: { code?: string }) => e.code,
      );
      expect([0, ErrorCode.BAD_USER_INPUT]).toContain(out);
    });
  });

  describe("list order and paging", () => {
    for (const sort of ALL_SORTS) {
      it(`pages through every match exactly once, ${sort.field} ${sort.direction}`, async () => {
        const games: GameRecord[] = [];
        const createdAt = tick();
        for (let i = 0; i < 23; i++) {
          // Shared creation times and seat counts force ties, broken by id.
          const g = makeGame({ createdAt: createdAt + (i % 5), capacity: 2 + (i % 4), players: seated(1 + (i % 2)) });
          games.push((await store().create(g)).game);
        }
        const f = filterOf();
        const want = reference(games, f, sort);
        const { items, pages } = await listAll(store(), f, sort, 4);
        expect(items.map((i) => i.cursor)).toEqual(want);
        expect(pages.length).toBe(6);
        for (const p of pages) expect(p.totalCount).toBe(23);
        expect(new Set(ids(items)).size).toBe(23);
      });
    }

    it("sorts by free seats then creation time", async () => {
      const a = (await store().create(makeGame({ capacity: 4, players: seated(3) }))).game; // 1 free
      const b = (await store().create(makeGame({ capacity: 4, players: seated(1) }))).game; // 3 free
      const c = (await store().create(makeGame({ capacity: 2, players: seated(1) }))).game; // 1 free, newer than a
      const asc = await snapshotIds(store(), filterOf(), sortOf(SortField.FREE_SEATS, SortDirection.ASC));
      expect(asc).toEqual([a.id, c.id, b.id]);
      const desc = await snapshotIds(store(), filterOf(), sortOf(SortField.FREE_SEATS, SortDirection.DESC));
      expect(desc).toEqual([b.id, c.id, a.id]);
    });

    it("continues after a cursor whose game is gone", async () => {
      const games = [];
      for (let i = 0; i < 5; i++) games.push((await store().create(makeGame())).game);
      const first = await store().list({ filter: filterOf(), sort: sortOf(), first: 2, after: null });
      await store().delete({ ref: { gameType: DUEL, id: games[1]!.id }, actor: null, now: tick() });
      const next = await store().list({ filter: filterOf(), sort: sortOf(), first: 2, after: first.items[1]!.cursor });
      expect(ids(next.items)).toEqual([games[2]!.id, games[3]!.id]);
      expect([next.totalCount, next.hasNextPage]).toEqual([4, true]);
    });

    it("merges several game types into one order", async () => {
      const games: GameRecord[] = [];
      for (let i = 0; i < 14; i++) {
        const g = makeGame({ gameType: i % 3 === 0 ? PARTY : DUEL, capacity: 3 + (i % 3) });
        games.push((await store().create(g)).game);
      }
      for (const sort of ALL_SORTS) {
        const { items, pages } = await listAll(store(), filterOf(), sort, 3);
        expect(items.map((i) => i.cursor)).toEqual(reference(games, filterOf(), sort));
        expect(pages[0]!.totalCount).toBe(14);
      }
    });
  });

  it("200 concurrent joins on a capacity-4 game seat exactly 3", async () => {
    const g = (await store().create(makeGame({ capacity: 4 }))).game;
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store().join(joinCmd(g, `racer${i}`)).then(
          () => "ok",
          (e: { code?: string }) => e.code,
        ),
      ),
    );
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(3);
    expect(outcomes.filter((o) => o === ErrorCode.GAME_FULL)).toHaveLength(197);
    const after = (await store().get({ gameType: DUEL, id: g.id }))!;
    expect(after.players).toHaveLength(4);
    expect(new Set(after.players.map((p) => p.id)).size).toBe(4);
    expect([after.state, after.version]).toEqual([GameState.FULL, 4]);
    expect(await snapshotIds(store(), filterOf({ minFreeSeats: 1 }), sortOf())).toEqual([]);
    const bySeats = await store().list({ filter: filterOf(), sort: sortOf(SortField.FREE_SEATS), first: 5, after: null });
    expect(bySeats.items.map((i) => i.cursor)).toEqual([{ score: g.createdAt, id: g.id }]); // 0 free seats × 2^42 + createdAt
  });
}
