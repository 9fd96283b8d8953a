import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LabelFilter, NormalizedFilter } from "../../src/domain/filter.js";
import { ChangeKind, type GameRecord, GameState, type LabelValue, Visibility } from "../../src/domain/game.js";
import { QuickJoinPreference } from "../../src/domain/game-type.js";
import { pickQuickJoin } from "../../src/domain/quick-join.js";
import type { GameStore, QuickJoinCommand } from "../../src/store/game-store.js";
import { actor, DUEL, filterOf, leaveCmd, makeGame, player, tables, testCatalog, tick } from "../support/games.js";
import { type StoreFactory, useStore } from "./contract-support.js";

const { FEWEST_FREE_SEATS: FEWEST, MOST_FREE_SEATS: MOST, OLDEST } = QuickJoinPreference;
const ref = (g: Pick<GameRecord, "gameType" | "id">) => ({ gameType: g.gameType, id: g.id });

/** A quickJoin of `ids` (the caller first) on DUEL, capacity-4 new game, default preference and budget. */
function qj(ids: string[], o: Partial<QuickJoinCommand> = {}): QuickJoinCommand {
  const t = tick();
  const players = ids.map((id) => player(id, t));
  return {
    gameType: DUEL,
    players,
    filter: filterOf({ gameTypes: [DUEL], minFreeSeats: ids.length }),
    region: null,
    prefer: FEWEST,
    scanBudget: 50,
    joinable: tables.joinable,
    seatsFilled: tables.seatsFilled,
    newGame: makeGame({ state: GameState.CREATED, creatorId: ids[0], players, capacity: 4, createdAt: t, region: o.region ?? null }),
    now: t,
    ...o,
  };
}

/** An OPEN public DUEL game with `free` of its 4 seats free, created at `createdAt`. */
const withFree = (free: number, o: Partial<GameRecord> = {}) =>
  makeGame({ players: Array.from({ length: 4 - free }, (_, i) => player(i === 0 ? "alice" : `p${i}`)), ...o });

/** quickJoin: the store's atomic pick-or-create, on both backends. */
export function describeQuickJoin(factory: StoreFactory): void {
  const store = useStore(factory);
  const add = async (...games: GameRecord[]) => {
    for (const g of games) await store().create(g);
    return games;
  };
  const picked = async (cmd: QuickJoinCommand) => {
    const { change, created } = await store().quickJoin(cmd);
    return created ? "created" : change.gameId;
  };

  it("creates a game with the party seated when nothing fits, and fills it before creating another", async () => {
    const outcomes = [];
    for (const id of ["a", "b", "c", "d", "e"]) outcomes.push(await store().quickJoin(qj([id])));
    expect(outcomes.map((o) => o.created)).toEqual([true, false, false, false, true]);
    const first = outcomes[0]!.change;
    expect([first.kind, first.version, first.game.creatorId]).toEqual([ChangeKind.CREATED, 1, "a"]);
    const full = outcomes[3]!.change;
    expect([full.kind, full.gameId, full.version, full.previousState, full.game.state]).toEqual([
      ChangeKind.UPDATED,
      first.gameId,
      4,
      GameState.CREATED,
      GameState.FULL,
    ]);
    expect(full.game.players.map((p) => p.id)).toEqual(["a", "b", "c", "d"]);
    expect(await store().get(ref(first.game))).toEqual(full.game);
  });

  it("prefers the fewest free seats that fit the party, then the oldest game", async () => {
    const [roomy, tight, tighter] = await add(withFree(3), withFree(1), withFree(1));
    expect(await picked(qj(["x"]))).toBe(tight!.id);
    expect(await picked(qj(["y"]))).toBe(tighter!.id);
    expect(await picked(qj(["p", "q"]))).toBe(roomy!.id);
    expect(await picked(qj(["r", "s", "t"]))).toBe("created");
  });

  it("can prefer the most free seats, or the oldest game", async () => {
    const [older, roomy, roomier] = await add(withFree(1), withFree(2), withFree(3));
    expect(await picked(qj(["x"], { prefer: OLDEST }))).toBe(older!.id);
    expect(await picked(qj(["y"], { prefer: MOST }))).toBe(roomier!.id);
    // roomier now has 2 free seats, like roomy, which is older.
    expect(await picked(qj(["z"], { prefer: MOST }))).toBe(roomy!.id);
  });

  it("passes over private, running, full and other-region games, and games a party member sits in", async () => {
    const [, , , eu] = await add(
      withFree(3, { visibility: Visibility.PRIVATE, joinCode: "QQQQQQ" }),
      withFree(3, { state: GameState.IN_PROGRESS }),
      withFree(0, { state: GameState.FULL }),
      withFree(3, { region: "eu" }),
      withFree(3, { players: [player("alice"), player("bob")] }),
    );
    expect(await picked(qj(["bob"], { region: "us" }))).toBe("created");
    expect(await picked(qj(["bob", "zed"], { region: "eu" }))).toBe(eu!.id);
  });

  it("honours the filter's states and labels", async () => {
    const [casual, , open] = await add(
      withFree(1, { labels: { mode: "casual", rating: 1200 } }),
      withFree(1, { state: GameState.CREATED, labels: { mode: "ranked", rating: 1500 } }),
      withFree(2, { labels: { mode: "ranked", rating: 1400 } }),
    );
    const only = (labels: LabelFilter[], states: GameState[] | null = null) =>
      qj(["x"], { filter: filterOf({ gameTypes: [DUEL], minFreeSeats: 1, labels, states }) });
    expect(await picked(only([{ key: "mode", eq: "ranked" }], [GameState.OPEN]))).toBe(open!.id);
    expect(await picked(only([{ key: "rating", lt: 1300 }]))).toBe(casual!.id);
    expect(await picked(only([{ key: "mode", ne: "ranked" }, { key: "rating", gte: 0 }]))).toBe("created");
  });

  it("examines at most scanBudget candidates in free-seat order when no label index can drive", async () => {
    const [, ranked] = await add(withFree(1, { labels: { mode: "casual" } }), withFree(2, { labels: { mode: "ranked" } }));
    // ne has no index: only the free-seat order walk runs.
    const filter = filterOf({ gameTypes: [DUEL], minFreeSeats: 1, labels: [{ key: "mode", ne: "casual" }] });
    expect(await picked(qj(["x"], { filter, scanBudget: 1 }))).toBe("created");
    expect(await picked(qj(["y"], { filter, scanBudget: 2 }))).toBe(ranked!.id);
  });

  it("walks an indexed label's games next, scanBudget of them in index order, when free-seat order finds none", async () => {
    const [, , , open] = await add(
      withFree(1, { labels: { mode: "casual", rating: 1 } }),
      withFree(1, { labels: { mode: "casual", rating: 1 } }),
      // Older than `open`, so first in the ranked index, and first by rating: but not joinable.
      withFree(2, { state: GameState.IN_PROGRESS, labels: { mode: "ranked", rating: 5 } }),
      withFree(2, { labels: { mode: "ranked", rating: 9 } }),
    );
    const only = (labels: LabelFilter[], scanBudget: number, id: string) =>
      qj([id], { filter: filterOf({ gameTypes: [DUEL], minFreeSeats: 1, labels }), scanBudget });
    expect(await picked(only([{ key: "mode", eq: "ranked" }], 1, "a"))).toBe("created");
    expect(await picked(only([{ key: "mode", eq: "ranked" }], 2, "b"))).toBe(open!.id);
    // Exclusive bounds: lt 9 leaves `open` out of the range, gt 1 the casual games (rating 1).
    expect(await picked(only([{ key: "rating", gte: 5, lt: 9 }], 2, "c"))).toBe("created");
    expect(await picked(only([{ key: "rating", gt: 1 }], 2, "d"))).toBe(open!.id);
  });

  it("picks the best of the indexed label's games by preference", async () => {
    const [, , older, newer] = await add(
      withFree(3, { labels: { mode: "casual" } }),
      withFree(3, { labels: { mode: "casual" } }),
      withFree(1, { labels: { mode: "ranked" } }),
      withFree(2, { labels: { mode: "ranked" } }),
    );
    const filter = filterOf({ gameTypes: [DUEL], minFreeSeats: 1, labels: [{ key: "mode", eq: "ranked" }] });
    // Both walks see two games: the casual ones first, then both ranked ones in the index.
    expect(await picked(qj(["x"], { filter, scanBudget: 2, prefer: MOST }))).toBe(newer!.id);
    expect(await picked(qj(["y"], { filter, scanBudget: 2, prefer: OLDEST }))).toBe(older!.id);
  });

  it("fills a selective filter's games behind many others instead of creating one per caller", async () => {
    const eight = (free: number, mode: string, createdAt = tick()) =>
      makeGame({ capacity: 8, createdAt, labels: { mode }, players: ["alice", "p1", "p2", "p3", "p4", "p5", "p6", "p7"].slice(0, 8 - free).map((id) => player(id, createdAt)) });
    await add(...Array.from({ length: 60 }, (_, i) => eight(1 + (i % 6), "ranked")));
    const filter = filterOf({ gameTypes: [DUEL], minFreeSeats: 1, labels: [{ key: "mode", eq: "casual" }] });
    const seatedIn = new Map<string, string>();
    const created: string[] = [];
    for (let i = 0; i < 40; i++) {
      const base = qj([`casual${i}`], { filter });
      // As the service creates it: capacity of the type, the filter's eq labels on top.
      const newGame = { ...base.newGame, capacity: 8, labels: { mode: "casual" } };
      const { change, created: isNew } = await store().quickJoin({ ...base, newGame });
      if (isNew) created.push(change.gameId);
      seatedIn.set(`casual${i}`, change.gameId);
    }
    expect(created).toHaveLength(5);
    expect(new Set(seatedIn.values())).toEqual(new Set(created));
    for (const id of created) {
      const g = await store().get({ gameType: DUEL, id });
      expect([g!.labels.mode, g!.players.length]).toEqual(["casual", 8]);
    }
  });

  it("follows every change to a game: seats freed, visibility, deletion", async () => {
    const [g] = await add(withFree(0, { state: GameState.FULL }));
    const joinable = () => picked(qj([`p${tick()}`], { scanBudget: 1 }));
    await store().leave(leaveCmd(g!, "p1"));
    expect(await joinable()).toBe(g!.id);
    await store().leave(leaveCmd(g!, "p2"));
    const priv = { visibility: Visibility.PRIVATE, joinCode: "ZZZZZZ" };
    await store().update({ ref: ref(g!), actor: actor("alice"), patch: priv, expectedVersion: null, now: tick() });
    const other = await joinable();
    expect(other).toBe("created");
    await store().update({ ref: ref(g!), actor: actor("alice"), patch: { visibility: Visibility.PUBLIC, joinCode: null }, expectedVersion: null, now: tick() });
    // One free seat again (the fewest), and public: the first candidate.
    expect(await joinable()).toBe(g!.id);
    await store().leave(leaveCmd(g!, "p3"));
    await store().delete({ ref: ref(g!), actor: null, now: tick() });
    expect(await joinable()).not.toBe(g!.id);
  });

  describeQuickJoinProperty(factory);
}

const STATES = [GameState.CREATED, GameState.OPEN, GameState.FULL, GameState.IN_PROGRESS];
const labelValue = fc.oneof(fc.constantFrom("ranked", "casual"), fc.constantFrom(1, 5, 9)) as fc.Arbitrary<LabelValue>;
const rating = fc.constantFrom(1, 5, 9);
const gameSpec = fc.record({
  state: fc.constantFrom(...STATES),
  seated: fc.integer({ min: 1, max: 4 }),
  members: fc.subarray(["bob", "carol"]),
  privateGame: fc.boolean(),
  region: fc.constantFrom(null, "eu", "us"),
  createdAt: fc.integer({ min: 0, max: 3 }),
  // Values of the other kind than declared: stored, never indexed.
  mode: fc.option(fc.constantFrom<LabelValue>("ranked", "casual", 5)),
  rating: fc.option(fc.constantFrom<LabelValue>(1, 5, 9, "5")),
});
// Open public casual games, rating 1: they fill the first walk's budget for most filters
// (as the 60 ranked games do in the scenario), so the second walk must find the rest;
// open public games with random labels behind them give it something to find.
const openSpec = (seated: [number, number], createdAt: number, mode: fc.Arbitrary<LabelValue>, rating: fc.Arbitrary<LabelValue>) =>
  fc.record({ seated: fc.integer({ min: seated[0], max: seated[1] }), region: fc.constantFrom(null, "eu"), createdAt: fc.integer({ min: createdAt, max: 3 }), mode, rating })
    .map((g) => ({ ...g, state: GameState.OPEN, members: [] as string[], privateGame: false }));
const lobbySpec = fc
  .tuple(
    fc.array(openSpec([1, 3], 0, fc.constant("casual"), fc.constant(1)), { maxLength: 8 }),
    fc.array(openSpec([1, 2], 1, fc.constantFrom<LabelValue>("ranked", "casual"), fc.constantFrom<LabelValue>(1, 5, 9)), { maxLength: 6 }),
    fc.array(gameSpec, { maxLength: 10 }),
  )
  .map(([fillers, open, games]) => [...fillers, ...open, ...games]);
const searchSpec = fc.record({
  party: fc.constantFrom(["zed"], ["bob"], ["zed", "carol"], ["yan", "zed", "xia"]),
  region: fc.constantFrom(null, "eu"),
  prefer: fc.constantFrom(FEWEST, MOST, OLDEST),
  scanBudget: fc.integer({ min: 1, max: 5 }),
  states: fc.option(fc.subarray([GameState.CREATED, GameState.OPEN], { minLength: 1 })),
  labels: fc.array(
    fc.oneof(
      // Selective comparisons on indexed labels: these drive the second walk.
      fc.record({ key: fc.constant("mode"), eq: labelValue }),
      fc.record({ key: fc.constant("rating"), eq: rating }),
      fc.record({ key: fc.constant("rating"), gt: rating, gte: rating, lt: rating, lte: rating }, { requiredKeys: ["key"] }),
      fc.record({ key: fc.constant("rating"), between: fc.constantFrom([2, 9], [5, 5], [1, 4]) }),
      fc.record({ key: fc.constant("mode"), ne: labelValue }),
    ),
    { maxLength: 2 },
  ),
});
// One comparison an index answers, for a small party in any region: the second walk's case.
const selectiveSpec = fc.record({
  party: fc.constantFrom(["zed"], ["zed", "carol"]),
  region: fc.constantFrom(null, "eu"),
  prefer: fc.constantFrom(FEWEST, MOST, OLDEST),
  scanBudget: fc.integer({ min: 1, max: 5 }),
  states: fc.constant(null),
  labels: fc.tuple(
    fc.constantFrom<LabelFilter>(
      { key: "mode", eq: "ranked" },
      { key: "rating", eq: 5 },
      { key: "rating", gte: 5 },
      { key: "rating", gt: 1, lte: 9 },
      { key: "rating", gt: 1, lt: 9 },
      { key: "rating", between: [5, 9] },
    ),
  ),
});

/** Random lobbies and searches: the store picks exactly what pickQuickJoin (the reference) picks. */
function describeQuickJoinProperty(factory: StoreFactory): void {
  it("picks what the reference picks, on random lobbies and searches", async () => {
    await fc.assert(
      fc.asyncProperty(lobbySpec, fc.oneof({ arbitrary: searchSpec, weight: 1 }, { arbitrary: selectiveSpec, weight: 2 }), async (specs, s) => {
        const { store, cleanup } = await factory();
        try {
          const games = specs.map((spec, i) =>
            makeGame({
              id: `${DUEL}_q${i}`,
              state: spec.state,
              players: ["alice", ...spec.members, "p1", "p2", "p3"].slice(0, spec.seated).map((id) => player(id, 1)),
              visibility: spec.privateGame ? Visibility.PRIVATE : Visibility.PUBLIC,
              joinCode: spec.privateGame ? `CODE${i}` : null,
              region: spec.region,
              createdAt: 1_763_000_000_000 + spec.createdAt,
              labels: { ...(spec.mode ? { mode: spec.mode } : {}), ...(spec.rating ? { rating: spec.rating } : {}) },
            }),
          );
          for (const g of games) await store.create(g);
          const filter: NormalizedFilter = filterOf({ gameTypes: [DUEL], minFreeSeats: s.party.length, states: s.states, labels: s.labels as LabelFilter[] });
          const labelKinds = testCatalog.get(DUEL)!.labels;
          const want = pickQuickJoin(games, { filter, region: s.region, playerIds: s.party, prefer: s.prefer, scanBudget: s.scanBudget, labelKinds });
          const { change, created } = await store.quickJoin(qj([...s.party], { filter, region: s.region, prefer: s.prefer, scanBudget: s.scanBudget }));
          expect(created ? null : change.gameId).toBe(want?.id ?? null);
        } finally {
          await cleanup();
        }
      }),
      { numRuns: 150 },
    );
  });
}
