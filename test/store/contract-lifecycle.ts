import { describe, expect, it } from "vitest";
import { ChangeKind, GameState } from "../../src/domain/game.js";
import {
  actor,
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
  timedCatalog,
} from "../support/games.js";
import { describeEventBatch } from "./contract-event-batch.js";
import { describeEvents } from "./contract-events.js";
import { snapshotIds, type StoreFactory, useStore } from "./contract-support.js";
import { createAt, eventCmd, refOf, seatFreed, T0, timeout } from "./lifecycle-support.js";

/** Deadlines, the due list and expiry (and, via describeEvents, applyEvent), on an explicit clock. */
export function describeLifecycle(factory: StoreFactory): void {
  describeEvents(factory);
  describeEventBatch(factory);
  const store = useStore(factory, { catalog: timedCatalog });

  describe("deadlines", () => {
    it("are computed on create from createdAt and the state's timeout, whatever the record says", async () => {
      for (const state of [GameState.CREATED, GameState.OPEN, GameState.IN_PROGRESS]) {
        const change = await store().create(makeGame({ state, createdAt: T0, expiresAt: 1, lastActivityAt: 2 }));
        const expected = { lastActivityAt: T0, expiresAt: T0 + timeout(state) };
        expect(change.game).toMatchObject(expected);
        expect(await store().get(refOf(change.game))).toMatchObject(expected);
      }
    });

    it("restart from every change's time, with the timeout of the state it leads to", async () => {
      const g = await createAt(store(), { capacity: 2 });
      const check = async (game: { lastActivityAt: number; expiresAt: number | null; state: GameState }, t: number, state: GameState) => {
        expect([game.state, game.lastActivityAt, game.expiresAt]).toEqual([state, t, t + timeout(state)]);
        expect(await store().get(refOf(g))).toMatchObject({ state, lastActivityAt: t, expiresAt: t + timeout(state) });
      };
      const joined = await store().join({ ...joinCmd(g, "bob"), now: T0 + 1_000 });
      await check(joined.game, T0 + 1_000, GameState.FULL);
      const patch = { settings: { speed: 2 } };
      const updated = await store().update({ ref: refOf(g), actor: actor("alice"), patch, expectedVersion: null, now: T0 + 2_000 });
      await check(updated.game, T0 + 2_000, GameState.FULL);
      const left = await store().leave({ ...leaveCmd(g, "bob"), now: T0 + 3_000 });
      await check(left.game, T0 + 3_000, GameState.OPEN);
    });

    it("include the reservations of unconfirmed seats, which round-trip", async () => {
      const g = await createAt(store());
      const until = T0 + 30_000;
      await store().join({ ...joinCmd(g, "bob"), player: reservedPlayer("bob", until, T0), now: T0 + 10 });
      const bob = (await store().get(refOf(g)))!.players[1];
      expect(bob).toEqual({ id: "bob", name: "Player bob", joinedAt: T0, confirmed: false, reservedUntil: until });
      expect(await store().dueGames(DUEL, until - 1, 10)).toEqual([]);
      expect(await store().dueGames(DUEL, until, 10)).toEqual([g.id]);
    });

    it("are listed by dueGames per type, earliest first, at most `limit`", async () => {
      const b = await createAt(store(), { createdAt: T0 }); // OPEN: due at T0 + 120 s
      const a = await createAt(store(), { createdAt: T0 + 2_000 }); // OPEN: T0 + 122 s
      const c = await createAt(store(), { createdAt: T0 + 1_000, state: GameState.CREATED }); // T0 + 61 s
      await createAt(store(), { createdAt: T0 + 1_000, state: GameState.FULL }); // T0 + 601 s
      const p = await createAt(store(), { gameType: PARTY });
      const at = T0 + 200_000;
      expect(await store().dueGames(DUEL, at, 10)).toEqual([c.id, b.id, a.id]);
      expect(await store().dueGames(DUEL, at, 2)).toEqual([c.id, b.id]);
      expect(await store().dueGames(DUEL, T0 + timeout(GameState.OPEN), 10)).toEqual([c.id, b.id]);
      expect(await store().dueGames(DUEL, T0 + 60_999, 10)).toEqual([]);
      expect(await store().dueGames(PARTY, at, 10)).toEqual([p.id]);
    });

    it("leave dueGames when activity moves them", async () => {
      const g = await createAt(store());
      const due = T0 + timeout(GameState.OPEN);
      expect(await store().dueGames(DUEL, due, 10)).toEqual([g.id]);
      await store().applyEvent(eventCmd(g, { kind: "touch" }, due));
      expect(await store().dueGames(DUEL, due, 10)).toEqual([]);
      expect(await store().expire(refOf(g), due, seatFreed)).toBeNull();
      expect(await store().dueGames(DUEL, due + timeout(GameState.OPEN), 10)).toEqual([g.id]);
    });

    it("are dropped with the game on delete and on the creator's leave", async () => {
      const g = await createAt(store());
      const h = await createAt(store());
      await store().delete({ ref: refOf(g), actor: null, now: T0 + 1 });
      await store().leave({ ...leaveCmd(h, "alice"), now: T0 + 2 });
      expect(await store().dueGames(DUEL, T0 + 10 * timeout(GameState.IN_PROGRESS), 10)).toEqual([]);
    });
  });

  describe("expire", () => {
    it("frees only the reservations that have passed, and lists the game again", async () => {
      const g = await createAt(store(), {
        state: GameState.FULL,
        capacity: 3,
        players: [player("alice"), reservedPlayer("bob", T0 + 30_000), reservedPlayer("carol", T0 + 90_000)],
      });
      const open = filterOf({ minFreeSeats: 1 });
      expect(await snapshotIds(store(), open, sortOf())).toEqual([]);
      expect(await store().expire(refOf(g), T0 + 29_999, seatFreed)).toBeNull();
      const t = T0 + 30_000;
      const out = await store().expire(refOf(g), t, seatFreed);
      expect(out!.freedPlayers).toEqual(["bob"]);
      expect(out!.change).toMatchObject({ kind: ChangeKind.UPDATED, version: 2, previousState: GameState.FULL });
      expect(out!.change.game).toMatchObject({ state: GameState.OPEN, updatedAt: t, lastActivityAt: t, expiresAt: t + timeout(GameState.OPEN) });
      expect(out!.change.game.players.map((p) => [p.id, p.confirmed])).toEqual([["alice", true], ["carol", false]]);
      expect(await store().get(refOf(g))).toEqual(out!.change.game);
      expect(await snapshotIds(store(), open, sortOf())).toEqual([g.id]);
      expect(await store().dueGames(DUEL, T0 + 89_999, 10)).toEqual([]);
      expect(await store().dueGames(DUEL, T0 + 90_000, 10)).toEqual([g.id]);
      expect((await store().expire(refOf(g), T0 + 90_000, seatFreed))!.freedPlayers).toEqual(["carol"]);
    });

    it("deletes a game only once its state timeout has passed, then answers null", async () => {
      const g = await createAt(store(), { region: "eu", labels: { mode: "casual", rating: 3 } });
      const due = T0 + timeout(GameState.OPEN);
      expect(await store().expire(refOf(g), due - 1, seatFreed)).toBeNull();
      expect(await store().get(refOf(g))).toEqual(g);
      const out = await store().expire(refOf(g), due, seatFreed);
      expect(out!.freedPlayers).toEqual([]);
      expect(out!.change).toMatchObject({ kind: ChangeKind.DELETED, gameId: g.id, version: 2, previousState: GameState.OPEN });
      expect(await store().get(refOf(g))).toBeNull();
      expect(await store().dueGames(DUEL, due, 10)).toEqual([]);
      expect(await snapshotIds(store(), filterOf(), sortOf())).toEqual([]);
      expect(await snapshotIds(store(), filterOf({ gameTypes: [DUEL], labels: [{ key: "rating", gte: 0 }] }), sortOf())).toEqual([]);
      expect(await store().expire(refOf(g), due, seatFreed)).toBeNull();
      expect(await store().expire({ gameType: DUEL, id: "duel_nope" }, due, seatFreed)).toBeNull();
    });

    it("frees a seat that the join reserved, with the seatFreed table it is given", async () => {
      const g = await createAt(store(), { capacity: 2 });
      const until = T0 + 5_000;
      await store().join({ ...joinCmd(g, "bob"), player: reservedPlayer("bob", until), now: T0 + 1 });
      expect((await store().get(refOf(g)))!.state).toBe(tables.seatsFilled[GameState.OPEN]);
      const out = await store().expire(refOf(g), until, seatFreed);
      expect([out!.freedPlayers, out!.change.previousState, out!.change.game.state]).toEqual([["bob"], GameState.FULL, GameState.OPEN]);
    });

    it("happens exactly once when sweepers race", async () => {
      const g = await createAt(store());
      const h = await createAt(store(), { capacity: 3, players: [player("alice"), reservedPlayer("bob", T0 + 1_000)] });
      for (const [game, at] of [[g, T0 + timeout(GameState.OPEN)], [h, T0 + 1_000]] as const) {
        const outcomes = await Promise.all(Array.from({ length: 20 }, () => store().expire(refOf(game), at, seatFreed)));
        expect(outcomes.filter((o) => o !== null)).toHaveLength(1);
      }
      expect(await store().get(refOf(g))).toBeNull();
      expect((await store().get(refOf(h)))!.players.map((p) => p.id)).toEqual(["alice"]);
    });
  });
}
