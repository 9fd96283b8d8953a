import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/domain/errors.js";
import { ChangeKind, GameState } from "../../src/domain/game.js";
import { GameEvent } from "../../src/domain/state-machine.js";
import type { EventOutcome } from "../../src/store/game-store.js";
import { DUEL, filterOf, PARTY, player, reservedPlayer, sortOf, timedCatalog } from "../support/games.js";
import { expectCode, snapshotIds, type StoreFactory, useStore } from "./contract-support.js";
import { createAt, disconnected, eventCmd, refOf, seatFreed, sleep, T0, timeout, transitionOf } from "./lifecycle-support.js";

const applied = (o: EventOutcome) => {
  expect(o.status).toBe("applied");
  return (o as Extract<EventOutcome, { status: "applied" }>).change;
};

/** applyEvent: every effect, its activity, refusals and event-id dedupe. */
export function describeEvents(factory: StoreFactory): void {
  const store = useStore(factory, { catalog: timedCatalog });

  describe("applyEvent", () => {
    it("moves a game along its life cycle, with its lists and its state timeout", async () => {
      const g = await createAt(store(), { state: GameState.CREATED });
      const t = T0 + 5_000;
      const change = applied(await store().applyEvent(eventCmd(g, transitionOf(GameEvent.CREATOR_JOINED, 3), t)));
      expect(change).toMatchObject({ kind: ChangeKind.UPDATED, version: 2, previousState: GameState.CREATED });
      expect(change.game).toMatchObject({ state: GameState.OPEN, updatedAt: t, lastActivityAt: t, expiresAt: t + timeout(GameState.OPEN) });
      expect(await store().get(refOf(g))).toEqual(change.game);
      expect(await snapshotIds(store(), filterOf({ states: [GameState.OPEN] }), sortOf())).toEqual([g.id]);
      expect(await snapshotIds(store(), filterOf({ states: [GameState.CREATED] }), sortOf())).toEqual([]);
    });

    it("answers unchanged for a repeat of the current state, recording only the activity", async () => {
      const g = await createAt(store());
      const t = T0 + 7_000;
      expect(await store().applyEvent(eventCmd(g, transitionOf(GameEvent.CREATOR_JOINED), t))).toEqual({ status: "unchanged" });
      expect(await store().get(refOf(g))).toEqual({ ...g, lastActivityAt: t, expiresAt: t + timeout(GameState.OPEN) });
    });

    it("refuses an illegal move with INVALID_TRANSITION and writes nothing, not even activity or the event id", async () => {
      const g = await createAt(store(), { state: GameState.IN_PROGRESS });
      const err = await expectCode(
        store().applyEvent(eventCmd(g, transitionOf(GameEvent.CREATOR_JOINED), T0 + 1_000, "ev-1", "5-0")),
        ErrorCode.INVALID_TRANSITION,
      );
      expect(err.message).toContain(GameState.IN_PROGRESS);
      expect(err.message).toContain(`${GameState.CREATED} or ${GameState.OPEN} or ${GameState.FULL}`); // where the event would have applied
      expect(await store().get(refOf(g))).toEqual(g);
      // Neither the refused event's id nor its entry id was remembered: a legal event with them still applies.
      const legal = await store().applyEvent(eventCmd(g, transitionOf(GameEvent.GAME_OVER), T0 + 2_000, "ev-1", "5-0"));
      expect(applied(legal).game.state).toBe(GameState.ENDED);
    });

    it("keeps a game_over result, answers unchanged for the same result and replaces it with a new one", async () => {
      const g = await createAt(store(), { state: GameState.IN_PROGRESS, players: [player("alice"), player("bob")] });
      const over = (result: Record<string, string>) => transitionOf(GameEvent.GAME_OVER, 0, { result });
      const first = applied(await store().applyEvent(eventCmd(g, over({ winner_id: "alice", loser_id: "bob" }), T0 + 10)));
      expect(first.game).toMatchObject({ state: GameState.ENDED, result: { winner_id: "alice", loser_id: "bob" }, version: 2 });
      expect(first.game.expiresAt).toBe(T0 + 10 + timeout(GameState.ENDED));
      const same = await store().applyEvent(eventCmd(g, over({ loser_id: "bob", winner_id: "alice" }), T0 + 20));
      expect(same).toEqual({ status: "unchanged" });
      const replaced = applied(await store().applyEvent(eventCmd(g, over({ winner_id: "bob" }), T0 + 30)));
      expect([replaced.version, replaced.previousState, replaced.game.result]).toEqual([3, GameState.ENDED, { winner_id: "bob" }]);
      expect((await store().get(refOf(g)))!.result).toEqual({ winner_id: "bob" });
    });

    it("confirms every reserved seat on all_players_joined, so none of them falls due", async () => {
      const g = await createAt(store(), {
        capacity: 3,
        players: [player("alice"), reservedPlayer("bob", T0 + 30_000), reservedPlayer("carol", null)],
      });
      const allIn = transitionOf(GameEvent.ALL_PLAYERS_JOINED, 0, { confirmAll: true });
      const change = applied(await store().applyEvent(eventCmd(g, allIn, T0 + 1_000)));
      expect(change.game.state).toBe(GameState.FULL);
      expect(change.game.players.map((p) => [p.id, p.confirmed, p.reservedUntil])).toEqual([
        ["alice", true, null],
        ["bob", true, null],
        ["carol", true, null],
      ]);
      expect(await store().dueGames(DUEL, T0 + 30_000, 10)).toEqual([]);
      expect(await store().applyEvent(eventCmd(g, allIn, T0 + 2_000))).toEqual({ status: "unchanged" });
    });

    it("frees a disconnected player's seat and lists the game again, but never the creator's", async () => {
      const g = await createAt(store(), { state: GameState.FULL, capacity: 2, players: [player("alice"), player("bob")] });
      const open = filterOf({ minFreeSeats: 1 });
      expect(await snapshotIds(store(), open, sortOf())).toEqual([]);
      const gone = (id: string) => ({ kind: "removePlayer" as const, playerId: id, seatFreed: disconnected });
      const change = applied(await store().applyEvent(eventCmd(g, gone("bob"), T0 + 100)));
      expect(change).toMatchObject({ version: 2, previousState: GameState.FULL, game: { state: GameState.OPEN } });
      expect(change.game.players.map((p) => p.id)).toEqual(["alice"]);
      // The answer is the game as stored (the script answers from what it wrote).
      expect(change.game).toEqual(await store().get(refOf(g)));
      expect(await snapshotIds(store(), open, sortOf())).toEqual([g.id]);
      expect(await store().applyEvent(eventCmd(g, gone("bob"), T0 + 200))).toEqual({ status: "unchanged" });
      expect(await store().applyEvent(eventCmd(g, gone("alice"), T0 + 300))).toEqual({ status: "unchanged" });
      const after = await store().get(refOf(g));
      expect([after!.version, after!.players.map((p) => p.id), after!.lastActivityAt]).toEqual([2, ["alice"], T0 + 300]);
    });

    it("confirms a reserved seat once; other players answer unchanged", async () => {
      const g = await createAt(store(), { players: [player("alice"), reservedPlayer("bob", T0 + 30_000)] });
      const confirm = (id: string) => ({ kind: "confirmPlayer" as const, playerId: id });
      const change = applied(await store().applyEvent(eventCmd(g, confirm("bob"), T0 + 10)));
      expect(change.version).toBe(2);
      expect(change.game.players[1]).toMatchObject({ id: "bob", confirmed: true, reservedUntil: null });
      for (const id of ["bob", "alice", "zed"]) {
        expect(await store().applyEvent(eventCmd(g, confirm(id), T0 + 20))).toEqual({ status: "unchanged" });
      }
      expect((await store().get(refOf(g)))!.version).toBe(2);
    });

    it("merges metadata into labels, and label filters follow", async () => {
      const g = await createAt(store(), { labels: { mode: "casual", rating: 10, note: "kept" } });
      const merge = (labels: Record<string, string | number>) => ({ kind: "mergeLabels" as const, labels });
      const change = applied(await store().applyEvent(eventCmd(g, merge({ mode: "ranked", rating: 20, extra: "new" }), T0 + 10, "meta/1")));
      expect(change.game.labels).toEqual({ mode: "ranked", rating: 20, note: "kept", extra: "new" });
      const ids = (labels: Parameters<typeof filterOf>[0]) => snapshotIds(store(), filterOf({ gameTypes: [DUEL], ...labels }), sortOf());
      expect(await ids({ labels: [{ key: "mode", eq: "casual" }] })).toEqual([]);
      expect(await ids({ labels: [{ key: "mode", eq: "ranked" }] })).toEqual([g.id]);
      expect(await ids({ labels: [{ key: "rating", gte: 15 }] })).toEqual([g.id]);
      expect(await ids({ labels: [{ key: "rating", lt: 15 }] })).toEqual([]);
      expect(await store().applyEvent(eventCmd(g, merge({ mode: "ranked", note: "kept" }), T0 + 20))).toEqual({ status: "unchanged" });
      // A value of the wrong kind is kept but no longer indexed as a number.
      applied(await store().applyEvent(eventCmd(g, merge({ rating: "n/a" }), T0 + 30)));
      expect(await ids({ labels: [{ key: "rating", gte: 0 }] })).toEqual([]);
      expect((await store().get(refOf(g)))!.labels).toEqual({ mode: "ranked", rating: "n/a", note: "kept", extra: "new" });
    });

    it("counts gameplay and heartbeats as activity only", async () => {
      const g = await createAt(store(), { state: GameState.IN_PROGRESS });
      const t = T0 + 900_000;
      expect(await store().applyEvent(eventCmd(g, { kind: "touch" }, t))).toEqual({ status: "unchanged" });
      expect(await store().get(refOf(g))).toEqual({ ...g, lastActivityAt: t, expiresAt: t + timeout(GameState.IN_PROGRESS) });
    });

    it("answers GAME_NOT_FOUND for an unknown game or the wrong game type", async () => {
      const g = await createAt(store());
      await expectCode(store().applyEvent(eventCmd({ gameType: DUEL, id: "duel_nope" }, { kind: "touch" }, T0)), ErrorCode.GAME_NOT_FOUND);
      await expectCode(store().applyEvent(eventCmd({ gameType: PARTY, id: g.id }, { kind: "touch" }, T0)), ErrorCode.GAME_NOT_FOUND);
    });

    it("applies an event id once per game type and writes nothing for a duplicate", async () => {
      const g = await createAt(store());
      const other = await createAt(store());
      const party = await createAt(store(), { gameType: PARTY });
      expect(await store().applyEvent(eventCmd(g, { kind: "touch" }, T0 + 10, "ev-9"))).toEqual({ status: "unchanged" });
      const before = await store().get(refOf(g));
      const again = eventCmd(g, transitionOf(GameEvent.ALL_PLAYERS_JOINED), T0 + 20, "ev-9");
      expect(await store().applyEvent(again)).toEqual({ status: "duplicate" });
      expect(await store().get(refOf(g))).toEqual(before);
      // The id is remembered per game type, not per game.
      expect(await store().applyEvent(eventCmd(other, { kind: "touch" }, T0 + 30, "ev-9"))).toEqual({ status: "duplicate" });
      expect((await store().get(refOf(other)))!.lastActivityAt).toBe(T0);
      expect(await store().applyEvent(eventCmd(party, { kind: "touch" }, T0 + 40, "ev-9"))).toEqual({ status: "unchanged" });
      // Events without an id are never duplicates.
      expect(await store().applyEvent(eventCmd(g, { kind: "touch" }, T0 + 50))).toEqual({ status: "unchanged" });
      expect(await store().applyEvent(eventCmd(g, { kind: "touch" }, T0 + 60))).toEqual({ status: "unchanged" });
    });

    it("accepts an event id again once the dedupe window has passed", async () => {
      const windowMs = 150;
      const fixture = await factory({ catalog: timedCatalog, eventDedupeMs: windowMs });
      try {
        const s = fixture.store;
        const g = await createAt(s);
        expect(await s.applyEvent(eventCmd(g, { kind: "touch" }, T0 + 10, "ev-w"))).toEqual({ status: "unchanged" });
        expect(await s.applyEvent(eventCmd(g, { kind: "touch" }, T0 + 20, "ev-w"))).toEqual({ status: "duplicate" });
        // Redis times the window on its own clock, the memory store on the commands' clock: move both.
        await sleep(windowMs * 2);
        const later = T0 + 20 + windowMs * 2;
        expect(await s.applyEvent(eventCmd(g, { kind: "touch" }, later, "ev-w"))).toEqual({ status: "unchanged" });
        expect((await s.get(refOf(g)))!.lastActivityAt).toBe(later);
        expect(await s.applyEvent(eventCmd(g, { kind: "touch" }, later + 1, "ev-w"))).toEqual({ status: "duplicate" });
      } finally {
        await fixture.cleanup();
      }
    });
  });
}
