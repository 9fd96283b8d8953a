import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/domain/errors.js";
import type { GameRecord } from "../../src/domain/game.js";
import type { Cursor } from "../../src/domain/paging.js";
import { type GameSort, SortDirection, SortField } from "../../src/domain/sort.js";
import type { GameStore } from "../../src/store/game-store.js";
import { DUEL, filterOf, joinCmd, makeGame, PARTY, player, sortOf, tick } from "../support/games.js";
import { describeSearchProperty } from "./contract-search-property.js";
import { expectCode, ids, listAll, reference, snapshotIds, type StoreFactory, useStore } from "./contract-support.js";

const bySkill = (label = "rating"): GameSort => ({ field: SortField.LABEL, direction: SortDirection.ASC, label });
const near = (target: number, label = "rating"): GameSort => ({ field: SortField.NEAREST, direction: SortDirection.ASC, label, target });
const duel = filterOf({ gameTypes: [DUEL] });

async function seed(store: GameStore, ratings: (number | null)[]): Promise<GameRecord[]> {
  const out: GameRecord[] = [];
  for (const r of ratings) out.push((await store.create(makeGame({ labels: r === null ? {} : { rating: r } }))).game);
  return out;
}

export function describeSearch(factory: StoreFactory): void {
  describe("lobby search", () => {
    const store = useStore(factory);

    it("filters numeric labels with an inclusive between", async () => {
      const g = await seed(store(), [999, 1000, 1200, 1400, 1401, null]);
      const f = filterOf({ gameTypes: [DUEL], labels: [{ key: "rating", between: [1000, 1400] }] });
      expect(await snapshotIds(store(), f, sortOf())).toEqual([g[1]!.id, g[2]!.id, g[3]!.id]);
    });

    it("sorts by a numeric label, leaving out games without it, ties by id", async () => {
      const g = await seed(store(), [1500, 900, null, 1200, 900]);
      const tie = [g[1]!.id, g[4]!.id].sort();
      expect(await snapshotIds(store(), duel, bySkill())).toEqual([...tie, g[3]!.id, g[0]!.id]);
      expect(await snapshotIds(store(), duel, { ...bySkill(), direction: SortDirection.DESC })).toEqual([g[0]!.id, g[3]!.id, ...tie.reverse()]);
    });

    // Both ways Redis can answer: reading the small candidate set whole, or walking the label index.
    for (const searchBudget of [undefined, { materialize: 0, scan: 2 }]) {
      it(`orders by nearness: distance, then the lower value, then id (${searchBudget ? "walked" : "read whole"})`, async () => {
        const { store: s, cleanup } = await factory({ searchBudget });
        try {
          const g = await seed(s, [1000, 1300, 1150, 1250, null, 1200, 2000]);
          const got = await listAll(s, duel, near(1200), 10);
          expect(ids(got.items)).toEqual([g[5]!.id, g[2]!.id, g[3]!.id, g[1]!.id, g[0]!.id, g[6]!.id]);
          const keys = [[0, 1200], [50, 1150], [50, 1250], [100, 1300], [200, 1000], [800, 2000]];
          expect(got.items.map((i) => [i.cursor.score, i.cursor.tie])).toEqual(keys);
          // |v − 1| rounds to 1 for 0, 1e-17 and 2e-17: one distance, several values, lowest first.
          const r = await seed(s, [2e-17, 2, 1e-17, 0, 1]);
          const f = filterOf({ gameTypes: [DUEL], labels: [{ key: "rating", lte: 2 }] });
          expect(ids((await listAll(s, f, near(1), 2)).items)).toEqual([r[4]!.id, r[3]!.id, r[2]!.id, r[0]!.id, r[1]!.id]);
        } finally {
          await cleanup();
        }
      });
    }

    it("refuses to sort by a label that is undeclared, a string, or without a target", async () => {
      await seed(store(), [1]);
      const list = (sort: GameSort, gameTypes = [DUEL]) => store().list({ filter: filterOf({ gameTypes }), sort, first: 5, after: null });
      await expectCode(list(bySkill("colour")), ErrorCode.BAD_USER_INPUT);
      await expectCode(list(bySkill("mode")), ErrorCode.BAD_USER_INPUT);
      await expectCode(list(bySkill(), [DUEL, PARTY]), ErrorCode.BAD_USER_INPUT); // party declares no "rating"
      await expectCode(list({ ...near(1), target: null }), ErrorCode.BAD_USER_INPUT);
      await expectCode(list({ ...near(1), direction: SortDirection.DESC }), ErrorCode.BAD_USER_INPUT);
    });

    it("keeps cursors valid while games are created and deleted between pages", async () => {
      const sorts: GameSort[] = [sortOf(), sortOf(SortField.FREE_SEATS, SortDirection.DESC), bySkill(), near(1_000)];
      for (const sort of sorts) {
        const kept: GameRecord[] = [];
        const churn: GameRecord[] = [];
        for (let i = 0; i < 30; i++) {
          const g = makeGame({ capacity: 4, players: [player("alice"), ...(i % 3 ? [player("bob")] : [])], labels: { rating: (i * 37) % 2_000 } });
          (i % 4 === 0 ? churn : kept).push((await store().create(g)).game);
        }
        const seen: string[] = [];
        let after: Cursor | null = null;
        for (let page = 0; ; page++) {
          const p = await store().list({ filter: duel, sort, first: 4, after });
          seen.push(...ids(p.items));
          // Between pages: a game disappears and a new one (with a key anywhere) appears.
          const gone = churn.pop();
          if (gone) await store().delete({ ref: gone, actor: null, now: tick() });
          await store().create(makeGame({ labels: { rating: (page * 611) % 2_000 } }));
          if (!p.hasNextPage) break;
          after = p.endCursor;
        }
        const keptIds = reference(kept, duel, sort).map((k) => k.id);
        const listedKept = seen.filter((id) => keptIds.includes(id));
        expect(listedKept, sort.field).toEqual(keptIds);
        expect(new Set(seen).size, sort.field).toBe(seen.length);
      }
    });

    it("follows changes: a new label value, a dropped label or a taken seat moves the game", async () => {
      const g = await seed(store(), [100, 200, 300]);
      const admin = { id: "root", name: "root", admin: true };
      const relabel = (game: GameRecord, labels: Record<string, number>) =>
        store().update({ ref: game, actor: admin, patch: { labels }, expectedVersion: null, now: tick() });
      await relabel(g[0]!, { rating: 250 });
      expect(await snapshotIds(store(), duel, bySkill())).toEqual([g[1]!.id, g[0]!.id, g[2]!.id]);
      await relabel(g[1]!, {});
      expect(await snapshotIds(store(), duel, near(0))).toEqual([g[0]!.id, g[2]!.id]);
      await store().join(joinCmd(g[2]!, "bob"));
      expect(await snapshotIds(store(), duel, sortOf(SortField.FREE_SEATS))).toEqual([g[2]!.id, g[0]!.id, g[1]!.id]);
    });

    it("stops at the scan budget with an endCursor to go on from, and caps the count", async () => {
      const { store: small, cleanup } = await factory({ searchBudget: { scan: 3, count: 2, materialize: 0 } });
      try {
        const games: GameRecord[] = [];
        for (let i = 0; i < 12; i++) {
          const players = [player("alice"), ...(i % 4 === 3 ? [] : [player("bob"), player("carol")])];
          games.push((await small.create(makeGame({ capacity: 4, players }))).game);
        }
        const f = filterOf({ gameTypes: [DUEL], minFreeSeats: 3 });
        const p = await small.list({ filter: f, sort: sortOf(), first: 5, after: null });
        expect(p.items.length).toBeLessThan(5);
        expect([p.hasNextPage, p.totalCountCapped]).toEqual([true, true]);
        expect(p.totalCount).toBeLessThanOrEqual(2);
        const all = await listAll(small, f, sortOf(), 5);
        expect(ids(all.items)).toEqual([games[3]!.id, games[7]!.id, games[11]!.id]);
      } finally {
        await cleanup();
      }
    });

    it("counts exactly, uncapped, when every candidate fits the budgets", async () => {
      await seed(store(), [1, 2, 3, null]);
      const p = await store().list({ filter: filterOf({ gameTypes: [DUEL], labels: [{ key: "rating", gte: 2 }] }), sort: sortOf(), first: 1, after: null });
      expect([p.totalCount, p.totalCountCapped, p.hasNextPage]).toEqual([2, false, true]);
    });
  });

  describeSearchProperty(factory);
}
