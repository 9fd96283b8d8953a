import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/domain/errors.js";
import { ChangeKind, type GameRecord, GameState, Visibility } from "../../src/domain/game.js";
import { HostLeaves } from "../../src/domain/game-type.js";
import type { GameStore } from "../../src/store/game-store.js";
import { isJoinCodeTaken } from "../../src/store/store-errors.js";
import { actor, ADMIN, DUEL, joinCmd, leaveCmd, makeGame, PARTY, player, reservedPlayer, tables, tick } from "../support/games.js";
import { expectCode, type StoreFactory, useStore } from "./contract-support.js";

const ref = (g: Pick<GameRecord, "gameType" | "id">) => ({ gameType: g.gameType, id: g.id });
const ids = (g: GameRecord | null) => g?.players.map((p) => p.id);

async function created(store: GameStore, overrides: Partial<GameRecord> = {}): Promise<GameRecord> {
  return (await store.create(makeGame(overrides))).game;
}

/** Parties, host migration, join codes, token attachment and eviction: the store side of matchmaking. */
export function describeMatchmaking(factory: StoreFactory): void {
  const store = useStore(factory);

  describe("join with a party", () => {
    it("seats the caller and every member in order, in one change", async () => {
      const g = await created(store(), { capacity: 4 });
      const change = await store().join({ ...joinCmd(g, "bob"), party: [player("carol"), reservedPlayer("dave", 99)] });
      expect([change.version, change.game.state]).toEqual([2, GameState.FULL]);
      expect(ids(change.game)).toEqual(["alice", "bob", "carol", "dave"]);
      expect(change.game.players[3]).toMatchObject({ confirmed: false, reservedUntil: 99 });
      expect(await store().get(ref(g))).toEqual(change.game);
    });

    it("seats nobody when not all fit, or when any of them already sits in the game", async () => {
      const g = await created(store(), { capacity: 4, players: [player("alice"), player("carol")] });
      const before = await store().get(ref(g));
      await expectCode(store().join({ ...joinCmd(g, "bob"), party: [player("dave"), player("erin")] }), ErrorCode.GAME_FULL);
      await expectCode(store().join({ ...joinCmd(g, "bob"), party: [player("carol")] }), ErrorCode.ALREADY_JOINED);
      expect(await store().get(ref(g))).toEqual(before);
    });
  });

  describe("the creator leaving", () => {
    it("with MIGRATE hands the game to the longest-seated remaining player and keeps it", async () => {
      const g = await created(store(), { capacity: 3 });
      await store().join(joinCmd(g, "bob"));
      await store().join(joinCmd(g, "carol"));
      const change = await store().leave({ ...leaveCmd(g, "alice"), hostLeaves: HostLeaves.MIGRATE });
      expect([change.kind, change.version, change.previousState, change.game.state]).toEqual([
        ChangeKind.UPDATED,
        4,
        GameState.FULL,
        GameState.OPEN,
      ]);
      expect([change.game.creatorId, ids(change.game)]).toEqual(["bob", ["bob", "carol"]]);
      expect(await store().get(ref(g))).toEqual(change.game);
      // The new creator has the creator's rights, the old one none.
      await store().update({ ref: ref(g), actor: actor("bob"), patch: { settings: { x: 1 } }, expectedVersion: null, now: tick() });
      await expectCode(store().delete({ ref: ref(g), actor: actor("alice"), now: tick() }), ErrorCode.FORBIDDEN);
    });

    it("with MIGRATE passes over a player whose seat is only reserved (and closes when nobody confirmed remains)", async () => {
      const g = await created(store(), { capacity: 3 });
      await store().join({ ...joinCmd(g, "bob"), player: reservedPlayer("bob", tick() + 60_000) });
      await store().join(joinCmd(g, "carol"));
      const change = await store().leave({ ...leaveCmd(g, "alice"), hostLeaves: HostLeaves.MIGRATE });
      expect([change.kind, change.game.creatorId]).toEqual([ChangeKind.UPDATED, "carol"]);

      const lone = await created(store(), { capacity: 2 });
      await store().join({ ...joinCmd(lone, "bob"), player: reservedPlayer("bob", tick() + 60_000) });
      const closed = await store().leave({ ...leaveCmd(lone, "alice"), hostLeaves: HostLeaves.MIGRATE });
      expect(closed.kind).toBe(ChangeKind.DELETED);
    });

    it("with MIGRATE and nobody left deletes the game; with CLOSE always", async () => {
      const alone = await created(store());
      const last = await store().leave({ ...leaveCmd(alone, "alice"), hostLeaves: HostLeaves.MIGRATE });
      expect(last.kind).toBe(ChangeKind.DELETED);
      expect(await store().get(ref(alone))).toBeNull();
      const g = await created(store());
      await store().join(joinCmd(g, "bob"));
      const closed = await store().leave({ ...leaveCmd(g, "alice"), hostLeaves: HostLeaves.CLOSE });
      expect([closed.kind, closed.game.creatorId]).toEqual([ChangeKind.DELETED, "alice"]);
      expect(await store().get(ref(g))).toBeNull();
    });
  });

  describe("join codes", () => {
    const priv = (code: string, o: Partial<GameRecord> = {}) => ({ visibility: Visibility.PRIVATE, joinCode: code, ...o });

    it("are found by code across game types, and not once the game is gone", async () => {
      const d = await created(store(), priv("AAAAAA"));
      const p = await created(store(), priv("BBBBBB", { gameType: PARTY }));
      expect(await store().findByCode("AAAAAA")).toEqual(ref(d));
      expect(await store().findByCode("BBBBBB")).toEqual(ref(p));
      expect(await store().findByCode("CCCCCC")).toBeNull();
      await store().delete({ ref: ref(d), actor: null, now: tick() });
      await store().leave(leaveCmd(p, "alice"));
      expect(await store().findByCode("AAAAAA")).toBeNull();
      expect(await store().findByCode("BBBBBB")).toBeNull();
    });

    it("are unique among the live games of a type: a taken code writes nothing", async () => {
      const g = await created(store(), priv("AAAAAA"));
      const twin = makeGame(priv("AAAAAA"));
      const err = await store().create(twin).then(() => null, (e: unknown) => e);
      expect(isJoinCodeTaken(err)).toBe(true);
      expect(await store().get(ref(twin))).toBeNull();
      const other = await created(store(), priv("BBBBBB"));
      const patch = { visibility: Visibility.PRIVATE, joinCode: "AAAAAA" };
      const refused = await store().update({ ref: ref(other), actor: ADMIN, patch, expectedVersion: null, now: tick() }).then(() => null, (e: unknown) => e);
      expect(isJoinCodeTaken(refused)).toBe(true);
      expect(await store().get(ref(other))).toMatchObject({ version: 1, joinCode: "BBBBBB" });
      expect(await store().findByCode("AAAAAA")).toEqual(ref(g));
      // Once released, the code may be issued again.
      await store().delete({ ref: ref(g), actor: null, now: tick() });
      expect((await store().create(twin)).game.joinCode).toBe("AAAAAA");
    });

    it("follow updates: a new code replaces the old, turning public drops it", async () => {
      const g = await created(store(), priv("AAAAAA"));
      const upd = (patch: object) => store().update({ ref: ref(g), actor: ADMIN, patch, expectedVersion: null, now: tick() });
      const renewed = await upd({ visibility: Visibility.PRIVATE, joinCode: "BBBBBB" });
      expect(renewed.previousVisibility).toBeUndefined();
      expect(await store().findByCode("AAAAAA")).toBeNull();
      expect(await store().findByCode("BBBBBB")).toEqual(ref(g));
      const opened = await upd({ visibility: Visibility.PUBLIC, joinCode: null });
      expect([opened.previousVisibility, opened.game.joinCode]).toEqual([Visibility.PRIVATE, null]);
      expect(await store().findByCode("BBBBBB")).toBeNull();
      const closed = await upd({ visibility: Visibility.PRIVATE, joinCode: "CCCCCC" });
      expect(closed.previousVisibility).toBe(Visibility.PUBLIC);
      expect(await store().findByCode("CCCCCC")).toEqual(ref(g));
    });

    it("are released when the game expires", async () => {
      const g = await created(store(), priv("AAAAAA"));
      const outcome = await store().expire(ref(g), g.createdAt + 10_000_000, tables.seatFreed);
      expect(outcome?.change.kind).toBe(ChangeKind.DELETED);
      expect(await store().findByCode("AAAAAA")).toBeNull();
    });
  });

  describe("attachServerToken", () => {
    it("stores the token as a visible change", async () => {
      const g = await created(store(), { state: GameState.CREATED });
      const change = await store().attachServerToken(ref(g), "tok", tick());
      expect([change.kind, change.version, change.game.serverToken, change.previousState]).toEqual([ChangeKind.UPDATED, 2, "tok", GameState.CREATED]);
      expect((await store().get(ref(g)))!.serverToken).toBe("tok");
      await expectCode(store().attachServerToken({ gameType: DUEL, id: "duel_gone" }, "tok", tick()), ErrorCode.GAME_NOT_FOUND);
    });
  });

  describe("evict", () => {
    it("frees the listed seats in one change, never the creator's, and answers null when none was seated", async () => {
      const g = await created(store(), { capacity: 4, players: [player("alice"), player("bob"), player("carol"), player("dave")], state: GameState.FULL });
      const change = await store().evict(ref(g), ["bob", "dave", "alice", "zoe"], tables.seatFreed, tick());
      expect([change!.version, change!.game.state, ids(change!.game)]).toEqual([2, GameState.OPEN, ["alice", "carol"]]);
      expect(await store().evict(ref(g), ["bob", "alice"], tables.seatFreed, tick())).toBeNull();
      expect((await store().get(ref(g)))!.version).toBe(2);
      await expectCode(store().evict({ gameType: DUEL, id: "duel_gone" }, ["bob"], tables.seatFreed, tick()), ErrorCode.GAME_NOT_FOUND);
    });
  });
}
