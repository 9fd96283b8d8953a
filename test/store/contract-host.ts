import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/domain/errors.js";
import { createCatalog } from "../../src/domain/game-type.js";
import { ChangeKind, type GameRecord, GameState, newGameRecord, type PlayerRecord, Visibility } from "../../src/domain/game.js";
import { HostLeaves, QuickJoinPreference } from "../../src/domain/game-type.js";
import { GameEvent } from "../../src/domain/state-machine.js";
import type { EventOutcome } from "../../src/store/game-store.js";
import { DUEL, filterOf, makeGame, newGameId, player, reservedPlayer, sortOf, tables, TIMEOUTS, typeDef } from "../support/games.js";
import { expectCode, snapshotIds, type StoreFactory, useStore } from "./contract-support.js";
import { createAt, disconnected, eventCmd, refOf, seatFreed, T0, transitionOf } from "./lifecycle-support.js";

/** A type with a game server (its games wait for their host) next to the lobby-only DUEL. */
const HOSTED = "hosted";
const RESERVATION_MS = 30_000;
const hostCatalog = createCatalog([
  typeDef(HOSTED, 3, { mode: "string" }, { ...TIMEOUTS }, { serverUrl: "http://gs.invalid", socketUrl: "gs.invalid:9" }),
  typeDef(DUEL, 4, { mode: "string" }, { ...TIMEOUTS }),
]);

/** A hosted game as the service creates it: CREATED, its host seated, waiting for the host to connect. */
function hostedGame(players: PlayerRecord[] = [player("host", T0)], capacity = 3): GameRecord {
  return newGameRecord(newGameId(HOSTED), {
    gameType: HOSTED,
    creatorId: players[0]!.id,
    players,
    capacity,
    visibility: Visibility.PUBLIC,
    region: null,
    settings: {},
    labels: { mode: "casual" },
    hosted: true,
    now: T0,
  });
}

const applied = (o: EventOutcome) => {
  expect(o.status).toBe("applied");
  return (o as Extract<EventOutcome, { status: "applied" }>).change;
};

/** Hosted games before and after their host connects, and what the stream's order bookkeeping remembers. */
export function describeHostAndOrder(factory: StoreFactory): void {
  const store = useStore(factory, { catalog: hostCatalog });
  const lobby = filterOf({ gameTypes: [HOSTED, DUEL] });

  describe("a hosted game waiting for its host", () => {
    it("starts CREATED and unlisted; lobby-only games start OPEN; a party that fills a game makes it FULL", async () => {
      const waiting = (await store().create(hostedGame())).game;
      expect(waiting).toMatchObject({ state: GameState.CREATED, hostConnected: false });
      const lobbyGame = (await store().create(makeGame({ gameType: DUEL, createdAt: T0 }))).game;
      expect(lobbyGame).toMatchObject({ state: GameState.OPEN, hostConnected: true });
      const filled = (await store().create(hostedGame([player("h2", T0), player("m1", T0), player("m2", T0)]))).game;
      expect(filled).toMatchObject({ state: GameState.FULL, hostConnected: false });
      expect(await snapshotIds(store(), lobby, sortOf())).toEqual([lobbyGame.id]);
      expect(await snapshotIds(store(), { ...lobby, states: [GameState.CREATED] }, sortOf())).toEqual([]);
      expect((await snapshotIds(store(), { ...lobby, includeWaitingForHost: true }, sortOf())).sort()).toEqual(
        [waiting.id, lobbyGame.id, filled.id].sort(),
      );
    });

    it("takes quickJoin seats, so racers meet in it, and keeps their reservations until the host connects", async () => {
      const g = (await store().create(hostedGame())).game;
      const t = T0 + 1_000;
      const { change, created } = await store().quickJoin({
        gameType: HOSTED,
        players: [reservedPlayer("bob", t + RESERVATION_MS, t)],
        filter: { ...filterOf({ gameTypes: [HOSTED], minFreeSeats: 1 }), includeWaitingForHost: true },
        region: null,
        prefer: QuickJoinPreference.FEWEST_FREE_SEATS,
        scanBudget: 50,
        joinable: tables.joinable,
        seatsFilled: tables.seatsFilled,
        newGame: hostedGame([player("other", t)]),
        now: t,
      });
      expect([created, change.gameId, change.game.state, change.game.hostConnected]).toEqual([false, g.id, GameState.CREATED, false]);
      // The reservation has passed, but bob could not have connected: nothing is due but the game's own timeout.
      const late = t + RESERVATION_MS + 1;
      expect(await store().expire(refOf(g), late, seatFreed)).toBeNull();
      expect((await store().get(refOf(g)))!.players.map((p) => p.id)).toEqual(["host", "bob"]);
      // The host connects: the game is listed, and bob's reservation starts now.
      const at = late + 5;
      const joined = applied(await store().applyEvent(eventCmd(g, transitionOf(GameEvent.CREATOR_JOINED, 1, { reservationMs: RESERVATION_MS }), at)));
      expect(joined.game).toMatchObject({ state: GameState.OPEN, hostConnected: true, version: 3 });
      expect(joined.game.players.find((p) => p.id === "bob")).toMatchObject({ confirmed: false, reservedUntil: at + RESERVATION_MS });
      expect(await store().get(refOf(g))).toEqual(joined.game);
      expect(await snapshotIds(store(), lobby, sortOf())).toEqual([g.id]);
      expect(await store().dueGames(HOSTED, at + RESERVATION_MS, 10)).toEqual([g.id]);
      const freed = await store().expire(refOf(g), at + RESERVATION_MS, seatFreed);
      expect(freed?.freedPlayers).toEqual(["bob"]);
    });

    it("goes back to CREATED, not OPEN, when a seat is freed before its host connected", async () => {
      const g = (await store().create(hostedGame([player("host", T0), reservedPlayer("bob", T0 + 9), reservedPlayer("carol", T0 + 9)]))).game;
      expect(g.state).toBe(GameState.FULL);
      const left = await store().leave({ ref: refOf(g), playerId: "carol", seatFreed, now: T0 + 10 });
      expect(left.game).toMatchObject({ state: GameState.CREATED, hostConnected: false });
      expect(await snapshotIds(store(), lobby, sortOf())).toEqual([]);
      const evicted = await store().evict(refOf(g), ["bob"], seatFreed, T0 + 20);
      expect(evicted!.game.state).toBe(GameState.CREATED);
    });

    it("closes instead of migrating when its host leaves before reaching the game server", async () => {
      const g = (await store().create(hostedGame([player("host", T0), player("bob", T0)]))).game;
      const left = await store().leave({ ref: refOf(g), playerId: "host", seatFreed, hostLeaves: HostLeaves.MIGRATE, now: T0 + 5 });
      expect(left.kind).toBe(ChangeKind.DELETED);
      expect(await store().get(refOf(g))).toBeNull();
    });

    it("ends from FULL when a match of the original generation reports game_over, keeping roster and result", async () => {
      const g = await createAt(store(), { gameType: DUEL, capacity: 2, state: GameState.FULL, players: [player("alice"), player("bob")] });
      const over = transitionOf(GameEvent.GAME_OVER, 0, { result: { winner_id: "alice", loser_id: "bob" }, confirmAll: true });
      const ended = applied(await store().applyEvent(eventCmd(g, over, T0 + 10)));
      expect(ended.game).toMatchObject({ state: GameState.ENDED, result: { winner_id: "alice", loser_id: "bob" } });
      // The loser's client disconnects: a finished game keeps its roster and is never listed again.
      const bye = { kind: "removePlayer" as const, playerId: "bob", seatFreed: disconnected };
      expect(await store().applyEvent(eventCmd(g, bye, T0 + 20))).toEqual({ status: "unchanged" });
      const after = await store().get(refOf(g));
      expect([after!.state, after!.players.map((p) => p.id), after!.version]).toEqual([GameState.ENDED, ["alice", "bob"], ended.version]);
      expect(await snapshotIds(store(), { ...lobby, minFreeSeats: 1 }, sortOf())).toEqual([]);
      await expectCode(store().join({ ...joinOf(g, "mallory"), now: T0 + 30 }), ErrorCode.GAME_FULL);
      // Ended with a seat to spare (from OPEN): still nobody joins a finished game.
      const open = await createAt(store(), { gameType: DUEL, capacity: 3, players: [player("alice"), player("bob")] });
      applied(await store().applyEvent(eventCmd(open, over, T0 + 40)));
      await expectCode(store().join({ ...joinOf(open, "mallory"), now: T0 + 50 }), ErrorCode.NOT_JOINABLE);
    });
  });

  describe("stream order bookkeeping", () => {
    const label = (n: number) => ({ kind: "mergeLabels" as const, labels: { mode: `v${n}` } });

    it("applies each stream entry once: one at or before the game's last applied entry is a duplicate", async () => {
      const g = await createAt(store(), { gameType: DUEL });
      applied(await store().applyEvent(eventCmd(g, label(1), T0 + 1, null, "1700000000000-5")));
      applied(await store().applyEvent(eventCmd(g, label(2), T0 + 2, null, "1700000000001-0")));
      // Redelivered after a crash: older entries change nothing, not even activity; the last
      // applied one comes back with the game as it stands, to be published again.
      for (const entry of ["1700000000000-5", "999-99"]) {
        expect(await store().applyEvent(eventCmd(g, label(9), T0 + 3, null, entry))).toEqual({ status: "duplicate" });
      }
      const again = await store().applyEvent(eventCmd(g, label(9), T0 + 3, null, "1700000000001-0"));
      expect(again).toMatchObject({ status: "replayed", change: { version: 3, game: { labels: { mode: "v2" } } } });
      // Numeric order, not text order: 10-0 comes after 9-0.
      const h = await createAt(store(), { gameType: DUEL });
      applied(await store().applyEvent(eventCmd(h, label(1), T0 + 1, null, "9-0")));
      applied(await store().applyEvent(eventCmd(h, label(2), T0 + 2, null, "10-0")));
      const [after, other] = [await store().get(refOf(g)), await store().get(refOf(h))];
      expect([after!.labels.mode, after!.version, after!.lastActivityAt]).toEqual(["v2", 3, T0 + 2]);
      expect([other!.labels.mode, other!.version]).toEqual(["v2", 3]);
    });

    it("remembers an entry that changed nothing visible, so a redelivery cannot apply it later", async () => {
      const g = await createAt(store(), { gameType: DUEL });
      const bye = { kind: "removePlayer" as const, playerId: "bob", seatFreed: disconnected };
      expect(await store().applyEvent(eventCmd(g, bye, T0 + 1, null, "100-0"))).toEqual({ status: "unchanged" });
      await store().join({ ...joinOf(g, "bob"), now: T0 + 2 });
      expect(await store().applyEvent(eventCmd(g, bye, T0 + 3, null, "100-0"))).toMatchObject({ status: "replayed" });
      expect(await store().applyEvent(eventCmd(g, bye, T0 + 4, null, "99-0"))).toEqual({ status: "duplicate" });
      expect((await store().get(refOf(g)))!.players.map((p) => p.id)).toEqual(["alice", "bob"]);
    });

    it("settles entries for a game deleted a short while ago as gone; an unknown game is still not found", async () => {
      const g = await createAt(store(), { gameType: DUEL });
      await store().delete({ ref: refOf(g), actor: null, now: T0 + 5 });
      expect(await store().applyEvent(eventCmd(g, label(1), T0 + 6, null, "7-0"))).toEqual({ status: "gone" });
      const never = makeGame({ gameType: DUEL });
      await expectCode(store().applyEvent(eventCmd(never, label(1), T0 + 6, null, "7-0")), ErrorCode.GAME_NOT_FOUND);
      expect(await store().recordActivity(DUEL, [g.id, never.id], T0 + 7)).toEqual(["gone", "missing"]);
      const expiring = await createAt(store(), { gameType: DUEL });
      const expired = await store().expire(refOf(expiring), T0 + TIMEOUTS[GameState.OPEN] * 1_000, seatFreed);
      expect(expired?.change.kind).toBe(ChangeKind.DELETED);
      expect(await store().applyEvent(eventCmd(expiring, label(1), T0 + 1, null, "8-0"))).toEqual({ status: "gone" });
    });
  });
}

function joinOf(g: Pick<GameRecord, "gameType" | "id">, playerId: string) {
  return {
    ref: refOf(g),
    player: player(playerId),
    joinCode: null,
    joinable: tables.joinable,
    seatsFilled: tables.seatsFilled,
  };
}
