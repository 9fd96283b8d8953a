import { describe, expect, it } from "vitest";
import { ErrorCode, MatchmakerError } from "../../src/domain/errors.js";
import { GameState } from "../../src/domain/game.js";
import { GameEvent } from "../../src/domain/state-machine.js";
import { EventHeldError, type EventEffect, type EventOutcome } from "../../src/store/game-store.js";
import { DUEL, filterOf, sortOf } from "../support/games.js";
import { snapshotIds, type StoreFactory, useStore } from "./contract-support.js";
import { createAt, eventCmd, refOf, T0, transitionOf } from "./lifecycle-support.js";

const merge = (labels: Record<string, string | number>): EventEffect => ({ kind: "mergeLabels", labels });

/** What each command of a batch came to: its outcome's status (and version), or its error's code or class. */
async function settle(pending: Promise<EventOutcome>[]): Promise<string[]> {
  return Promise.all(
    pending.map((p) =>
      p.then(
        (o) => (o.status === "applied" ? `applied v${o.change.version}` : o.status),
        (err: unknown) => (err instanceof MatchmakerError ? err.code : err instanceof EventHeldError ? "held" : "failed"),
      ),
    ),
  );
}

/** applyEvents (the worker's batch): the same outcomes as applyEvent one at a time, in order per game. */
export function describeEventBatch(factory: StoreFactory): void {
  const store = useStore(factory);

  describe("applyEvents", () => {
    it("applies a batch over several games as one event at a time would: dedupe, refusals and order per game", async () => {
      const a = await createAt(store(), { state: GameState.CREATED });
      const b = await createAt(store(), { labels: { mode: "casual" } });
      const unknown = { gameType: a.gameType, id: `${a.id.slice(0, -4)}zzzz` };
      const outcomes = await settle(
        store().applyEvents([
          eventCmd(a, transitionOf(GameEvent.CREATOR_JOINED, 3), T0 + 1, null, "1-0"),
          eventCmd(b, merge({ mode: "ranked" }), T0 + 1, "ev-b", "1-1"),
          eventCmd(a, merge({ mode: "ranked", rating: 5 }), T0 + 2, "ev-a", "2-0"),
          // The same event id again within the batch: the first one already counts.
          eventCmd(a, merge({ mode: "other" }), T0 + 3, "ev-a", "3-0"),
          eventCmd(unknown, merge({ mode: "x" }), T0 + 3, null, "3-1"),
          // Illegal from OPEN: refused alone, the game's later events still apply.
          eventCmd(a, transitionOf(GameEvent.CREATOR_JOINED, 0, { table: { [GameState.ENDED]: GameState.ENDED } }), T0 + 4, null, "4-0"),
          eventCmd(a, transitionOf(GameEvent.GAME_OVER), T0 + 5, null, "5-0"),
          // At or before the game's last applied entry: a redelivery.
          eventCmd(b, merge({ mode: "late" }), T0 + 6, null, "1-0"),
        ]),
      );
      expect(outcomes).toEqual(["applied v2", "applied v2", "applied v3", "duplicate", ErrorCode.GAME_NOT_FOUND, ErrorCode.INVALID_TRANSITION, "applied v4", "duplicate"]);
      expect(await store().get(refOf(a))).toMatchObject({ state: GameState.ENDED, version: 4, labels: { mode: "ranked", rating: 5 }, updatedAt: T0 + 5 });
      expect(await store().get(refOf(b))).toMatchObject({ version: 2, labels: { mode: "ranked" } });
      expect(await snapshotIds(store(), filterOf({ gameTypes: [DUEL], labels: [{ key: "mode", eq: "ranked" }] }), sortOf())).toEqual(
        expect.arrayContaining([a.id, b.id]),
      );
    });

    it("keeps each game's order across a batch larger than one store call", async () => {
      const games = await Promise.all(Array.from({ length: 40 }, () => createAt(store())));
      // Round-robin, as many game servers writing at once: 4 changes per game, 160 in all.
      const cmds = [1, 2, 3, 4].flatMap((n) => games.map((g, i) => eventCmd(g, merge({ rating: n }), T0 + n, null, `${n}-${i}`)));
      const outcomes = await settle(store().applyEvents(cmds));
      expect(outcomes).toEqual(cmds.map((c) => `applied v${1 + Number(c.entryId!.split("-")[0])}`));
      for (const g of games) expect(await store().get(refOf(g))).toMatchObject({ version: 5, labels: { rating: 4 } });
    });

    it("holds a game's later events back after one that fails, and applies the other games", async () => {
      const a = await createAt(store());
      const b = await createAt(store());
      const broken = { kind: "no-such-effect" } as unknown as EventEffect;
      const outcomes = await settle(
        store().applyEvents([
          eventCmd(a, merge({ rating: 1 }), T0 + 1, null, "1-0"),
          eventCmd(a, broken, T0 + 2, null, "2-0"),
          eventCmd(b, merge({ rating: 2 }), T0 + 2, null, "2-1"),
          eventCmd(a, merge({ rating: 3 }), T0 + 3, "ev-held", "3-0"),
        ]),
      );
      expect(outcomes).toEqual(["applied v2", "failed", "applied v2", "held"]);
      expect(await store().get(refOf(a))).toMatchObject({ version: 2, labels: { rating: 1 } });
      // Nothing of the held event was remembered: retried, it applies.
      const retried = await settle(store().applyEvents([eventCmd(a, merge({ rating: 3 }), T0 + 4, "ev-held", "3-0")]));
      expect(retried).toEqual(["applied v3"]);
    });
  });
}
