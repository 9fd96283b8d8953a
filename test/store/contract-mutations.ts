import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/domain/errors.js";
import { ChangeKind, type GameRecord, GameState, Visibility } from "../../src/domain/game.js";
import { HostLeaves } from "../../src/domain/game-type.js";
import type { GameStore } from "../../src/store/game-store.js";
import {
  actor,
  ADMIN,
  DUEL,
  filterOf,
  joinCmd,
  leaveCmd,
  makeGame,
  PARTY,
  player,
  reservedPlayer,
  sortOf,
  tables,
  testCatalog,
  tick,
} from "../support/games.js";
import { expectCode, snapshotIds, type StoreFactory, useStore } from "./contract-support.js";

const ref = (g: GameRecord) => ({ gameType: g.gameType, id: g.id });

/** What the store keeps of a new game: version 1, and activity and expiry computed from createdAt. */
const storedAs = (g: GameRecord): GameRecord => ({
  ...g,
  version: 1,
  lastActivityAt: g.createdAt,
  expiresAt: g.createdAt + testCatalog.get(g.gameType)!.stateTimeouts[g.state] * 1_000,
});

async function created(store: GameStore, overrides: Partial<GameRecord> = {}): Promise<GameRecord> {
  return (await store.create(makeGame(overrides))).game;
}

/** Everything a refusal must leave untouched: the game itself and what lists show. */
async function observe(store: GameStore, g: GameRecord) {
  return {
    game: await store.get(ref(g)),
    public: await snapshotIds(store, filterOf({ minFreeSeats: 1 }), sortOf()),
    private: await snapshotIds(store, filterOf({ visibility: Visibility.PRIVATE }), sortOf()),
  };
}

export function describeMutations(factory: StoreFactory): void {
  const store = useStore(factory);

  describe("create and get", () => {
    it("round-trips every field, including settings, labels, null region and nulls", async () => {
      const game = makeGame({
        players: [player("alice"), player("bob")],
        settings: { rounds: 3, nested: { list: [1, "two", null], flag: true }, ratio: 0.1 },
        labels: { mode: "ranked", rating: 1234.5, free: "text: {with} braces=and:colons" },
        capacity: 5,
        version: 7, // the store always starts at 1
      });
      const change = await store().create(game);
      const expected = storedAs(game);
      expect(change).toEqual({ kind: ChangeKind.CREATED, gameId: game.id, gameType: DUEL, version: 1, previousState: null, game: expected });
      expect(await store().get(ref(game))).toEqual(expected);
    });

    it("round-trips the optional fields when set", async () => {
      const game = makeGame({
        gameType: PARTY,
        state: GameState.IN_PROGRESS,
        visibility: Visibility.PRIVATE,
        joinCode: "s3cret",
        region: "eu-west",
        result: { winner: "alice" },
        serverToken: "tok",
        expiresAt: tick() + 60_000, // overwritten: the store computes it
        lastActivityAt: 1,
        labels: { map: "dust", stakes: -2 },
      });
      await store().create(game);
      expect(await store().get(ref(game))).toEqual(storedAs(game));
    });

    it("answers null for an unknown id or the wrong game type", async () => {
      const g = await created(store());
      expect(await store().get({ gameType: DUEL, id: "duel_missing" })).toBeNull();
      expect(await store().get({ gameType: PARTY, id: g.id })).toBeNull();
    });

    it("refuses an id that already exists", async () => {
      const game = makeGame();
      await store().create(game);
      await expectCode(store().create({ ...game, labels: { mode: "x" } }), ErrorCode.INTERNAL_SERVER_ERROR);
      expect((await store().get(ref(game)))!.labels).toEqual({});
    });
  });

  it("answers every write with the game exactly as it is then stored (the reply is not read back from the store)", async () => {
    const asStored = async (change: { game: GameRecord | null } | null) => {
      expect(change?.game).toBeTruthy();
      expect(change!.game).toEqual(await store().get(ref(change!.game!)));
      return change!.game!;
    };
    const g = await asStored(await store().create(makeGame({ gameType: PARTY, capacity: 4, labels: { map: "dust" } })));
    await asStored(await store().join(joinCmd(g, "bob")));
    await asStored(await store().join({ ...joinCmd(g, "carol"), party: [reservedPlayer("dave", tick() + 60_000)] }));
    await asStored(await store().leave(leaveCmd(g, "bob")));
    await asStored(await store().attachServerToken(ref(g), "token-1", tick()));
    await asStored(await store().evict(ref(g), ["dave"], tables.seatFreed, tick()));
    const migrated = await asStored(await store().leave({ ...leaveCmd(g, "alice"), hostLeaves: HostLeaves.MIGRATE }));
    expect(migrated.creatorId).toBe("carol");
    const filled = await asStored(await store().join(joinCmd(await created(store(), { capacity: 2 }), "bob")));
    expect(filled.state).toBe(GameState.FULL);
  });

  describe("versions", () => {
    it("bump by exactly 1 per change, delete included", async () => {
      const g = await created(store());
      const steps = [
        () => store().join(joinCmd(g, "bob")),
        () => store().update({ ref: ref(g), actor: actor("alice"), patch: { settings: { a: 1 } }, expectedVersion: null, now: tick() }),
        () => store().leave(leaveCmd(g, "bob")),
        () => store().delete({ ref: ref(g), actor: null, now: tick() }),
      ];
      let version = 1;
      for (const step of steps) {
        const change = await step();
        version += 1;
        expect(change.version).toBe(version);
        expect(change.game.version).toBe(version);
      }
    });

    it("set updatedAt to the command's time", async () => {
      const g = await created(store());
      const cmd = joinCmd(g, "bob");
      expect((await store().join(cmd)).game.updatedAt).toBe(cmd.now);
      expect((await store().get(ref(g)))!.updatedAt).toBe(cmd.now);
    });
  });

  describe("join", () => {
    it("refuses in order: join code, already joined, full, not joinable", async () => {
      const g = await created(store(), {
        state: GameState.FULL, // not joinable, full, private: every refusal applies at once
        capacity: 2,
        players: [player("alice"), player("bob")],
        visibility: Visibility.PRIVATE,
        joinCode: "c0de",
      });
      await expectCode(store().join(joinCmd(g, "bob", "wrong")), ErrorCode.FORBIDDEN);
      await expectCode(store().join(joinCmd(g, "bob", "c0de")), ErrorCode.ALREADY_JOINED);
      await expectCode(store().join(joinCmd(g, "carol", "c0de")), ErrorCode.GAME_FULL);
      const running = await created(store(), { state: GameState.IN_PROGRESS });
      await expectCode(store().join(joinCmd(running, "carol")), ErrorCode.NOT_JOINABLE);
      await expectCode(store().join(joinCmd({ gameType: DUEL, id: "duel_nope" }, "carol")), ErrorCode.GAME_NOT_FOUND);
    });

    it("needs the right join code for a private game", async () => {
      const g = await created(store(), { visibility: Visibility.PRIVATE, joinCode: "c0de" });
      await expectCode(store().join(joinCmd(g, "bob")), ErrorCode.FORBIDDEN);
      await expectCode(store().join(joinCmd(g, "bob", "C0DE")), ErrorCode.FORBIDDEN);
      const change = await store().join(joinCmd(g, "bob", "c0de"));
      expect(change.game.players.map((p) => p.id)).toEqual(["alice", "bob"]);
    });

    it("moves OPEN to FULL on the last seat, and back to OPEN when a seat is freed", async () => {
      const g = await created(store(), { capacity: 3 });
      const first = await store().join(joinCmd(g, "bob"));
      expect([first.kind, first.previousState, first.game.state]).toEqual([ChangeKind.UPDATED, GameState.OPEN, GameState.OPEN]);
      const last = await store().join(joinCmd(g, "carol"));
      expect([last.previousState, last.game.state]).toEqual([GameState.OPEN, GameState.FULL]);
      expect(last.game.players.map((p) => p.id)).toEqual(["alice", "bob", "carol"]);
      const left = await store().leave(leaveCmd(g, "bob"));
      expect([left.kind, left.previousState, left.game.state]).toEqual([ChangeKind.UPDATED, GameState.FULL, GameState.OPEN]);
      expect(left.game.players.map((p) => p.id)).toEqual(["alice", "carol"]);
      expect(await snapshotIds(store(), filterOf({ states: [GameState.OPEN] }), sortOf())).toEqual([g.id]);
      expect(await snapshotIds(store(), filterOf({ states: [GameState.FULL] }), sortOf())).toEqual([]);
    });

    it("applies the seatsFilled table it is given, and only on the last seat", async () => {
      const g = await created(store(), { state: GameState.CREATED, capacity: 2 });
      const keep = { ...joinCmd(g, "bob"), seatsFilled: { [GameState.CREATED]: GameState.CREATED } };
      expect((await store().join(keep)).game.state).toBe(GameState.CREATED);
      const h = await created(store(), { state: GameState.CREATED, capacity: 3 });
      expect((await store().join(joinCmd(h, "bob"))).game.state).toBe(GameState.CREATED);
      const last = await store().join(joinCmd(h, "carol"));
      expect(last.game.state).toBe(tables.seatsFilled[GameState.CREATED] ?? GameState.CREATED);
      await expectCode(store().join(joinCmd(h, "dave")), ErrorCode.GAME_FULL);
    });
  });

  describe("leave", () => {
    it("refuses a non-player and an unknown game", async () => {
      const g = await created(store());
      await expectCode(store().leave(leaveCmd(g, "mallory")), ErrorCode.NOT_A_PLAYER);
      await expectCode(store().leave(leaveCmd({ gameType: DUEL, id: "duel_nope" }, "alice")), ErrorCode.GAME_NOT_FOUND);
    });

    it("by the creator deletes the game everywhere", async () => {
      const g = await created(store(), { region: "eu", labels: { mode: "casual", rating: 5 } });
      await store().join(joinCmd(g, "bob"));
      const change = await store().leave(leaveCmd(g, "alice"));
      expect([change.kind, change.version, change.previousState]).toEqual([ChangeKind.DELETED, 3, GameState.OPEN]);
      expect(change.game.id).toBe(g.id);
      expect(await store().get(ref(g))).toBeNull();
      expect(await snapshotIds(store(), filterOf(), sortOf())).toEqual([]);
      await expectCode(store().join(joinCmd(g, "carol")), ErrorCode.GAME_NOT_FOUND);
    });
  });

  describe("update", () => {
    it("is for the creator or an admin only", async () => {
      const g = await created(store());
      const patch = { settings: { speed: "fast" } };
      await expectCode(store().update({ ref: ref(g), actor: actor("bob"), patch, expectedVersion: null, now: tick() }), ErrorCode.FORBIDDEN);
      const byAdmin = await store().update({ ref: ref(g), actor: ADMIN, patch, expectedVersion: null, now: tick() });
      expect(byAdmin.game.settings).toEqual({ speed: "fast" });
      const byCreator = await store().update({ ref: ref(g), actor: actor("alice"), patch: { settings: {} }, expectedVersion: 2, now: tick() });
      expect([byCreator.version, byCreator.game.settings]).toEqual([3, {}]);
    });

    it("answers VERSION_CONFLICT with the current version when expectedVersion is stale", async () => {
      const g = await created(store());
      await store().join(joinCmd(g, "bob"));
      const err = await expectCode(
        store().update({ ref: ref(g), actor: actor("alice"), patch: { settings: { x: 1 } }, expectedVersion: 1, now: tick() }),
        ErrorCode.VERSION_CONFLICT,
      );
      expect(err.details).toEqual({ currentVersion: 2 });
    });

    it("replaces labels, visibility and join code, and lists follow", async () => {
      const g = await created(store(), { labels: { mode: "casual", rating: 10, note: "kept?" } });
      const change = await store().update({
        ref: ref(g),
        actor: actor("alice"),
        patch: { labels: { mode: "ranked" }, visibility: Visibility.PRIVATE, joinCode: "k" },
        expectedVersion: null,
        now: tick(),
      });
      expect(change.game).toMatchObject({ labels: { mode: "ranked" }, visibility: Visibility.PRIVATE, joinCode: "k" });
      const byLabel = (visibility: Visibility, mode: string) =>
        snapshotIds(store(), filterOf({ gameTypes: [DUEL], visibility, labels: [{ key: "mode", eq: mode }] }), sortOf());
      expect(await byLabel(Visibility.PUBLIC, "ranked")).toEqual([]);
      expect(await byLabel(Visibility.PRIVATE, "ranked")).toEqual([g.id]);
      expect(await byLabel(Visibility.PRIVATE, "casual")).toEqual([]);
      const rated = filterOf({ gameTypes: [DUEL], visibility: Visibility.PRIVATE, labels: [{ key: "rating", gte: 0 }] });
      expect(await snapshotIds(store(), rated, sortOf())).toEqual([]);
      const cleared = await store().update({ ref: ref(g), actor: ADMIN, patch: { joinCode: null }, expectedVersion: null, now: tick() });
      expect(cleared.game.joinCode).toBeNull();
      expect(cleared.game.labels).toEqual({ mode: "ranked" });
    });
  });

  describe("delete", () => {
    it("is for the creator, an admin or the system", async () => {
      const [a, b, c] = [await created(store()), await created(store()), await created(store())];
      await expectCode(store().delete({ ref: ref(a), actor: actor("bob"), now: tick() }), ErrorCode.FORBIDDEN);
      for (const [g, who] of [[a, actor("alice")], [b, ADMIN], [c, null]] as const) {
        const change = await store().delete({ ref: ref(g), actor: who, now: tick() });
        expect([change.kind, change.version, change.previousState]).toEqual([ChangeKind.DELETED, 2, GameState.OPEN]);
      }
      await expectCode(store().delete({ ref: ref(a), actor: null, now: tick() }), ErrorCode.GAME_NOT_FOUND);
    });

    it("removes the game from every list", async () => {
      const g = await created(store(), { region: "eu", labels: { mode: "casual", rating: 7 } });
      const filters = [
        filterOf(),
        filterOf({ states: [GameState.OPEN] }),
        filterOf({ regions: ["eu"] }),
        filterOf({ minFreeSeats: 1 }),
        filterOf({ gameTypes: [DUEL], labels: [{ key: "mode", eq: "casual" }] }),
        filterOf({ gameTypes: [DUEL], labels: [{ key: "rating", gt: 0 }] }),
      ];
      for (const f of filters) expect(await snapshotIds(store(), f, sortOf())).toEqual([g.id]);
      await store().delete({ ref: ref(g), actor: null, now: tick() });
      for (const f of filters) expect(await snapshotIds(store(), f, sortOf())).toEqual([]);
      expect(await store().get(ref(g))).toBeNull();
    });
  });

  it("a refused operation changes nothing", async () => {
    const g = await created(store(), { capacity: 2, visibility: Visibility.PRIVATE, joinCode: "c", players: [player("alice"), player("bob")], state: GameState.FULL });
    const before = await observe(store(), g);
    const refusals: [() => Promise<unknown>, ErrorCode][] = [
      [() => store().join(joinCmd(g, "carol", "nope")), ErrorCode.FORBIDDEN],
      [() => store().join(joinCmd(g, "bob", "c")), ErrorCode.ALREADY_JOINED],
      [() => store().join(joinCmd(g, "carol", "c")), ErrorCode.GAME_FULL],
      [() => store().leave(leaveCmd(g, "carol")), ErrorCode.NOT_A_PLAYER],
      [() => store().update({ ref: ref(g), actor: actor("bob"), patch: { visibility: Visibility.PUBLIC }, expectedVersion: null, now: tick() }), ErrorCode.FORBIDDEN],
      [() => store().update({ ref: ref(g), actor: ADMIN, patch: { labels: { mode: "x" } }, expectedVersion: 9, now: tick() }), ErrorCode.VERSION_CONFLICT],
      [() => store().delete({ ref: ref(g), actor: actor("bob"), now: tick() }), ErrorCode.FORBIDDEN],
    ];
    for (const [op, code] of refusals) {
      await expectCode(op(), code);
      expect(await observe(store(), g)).toEqual(before);
    }
  });
}
