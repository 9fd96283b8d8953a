import { describe, expect, it } from "vitest";
import { OUTBOX_FIRST_HOLD_MS, outboxHoldMs } from "../../src/store/outbox-backoff.js";
import { DUEL, PARTY } from "../support/games.js";
import { type StoreFactory, useStore } from "./contract-support.js";

const T = 1_800_000_000_000;
const removeGame = (gameId: string, gameType = DUEL) => ({ gameType, call: "remove_game" as const, gameId, playerId: null });

/** The game-server outbox: calls kept until a worker delivered them, handed out once at a time, with back-off. */
export function describeOutbox(factory: StoreFactory): void {
  const store = useStore(factory);

  describe("game-server outbox", () => {
    it("hands out only due calls of the type, oldest due first, and holds each back from other takers", async () => {
      const later = await store().scheduleControl(removeGame("duel_b"), T + 5_000, T);
      const now = await store().scheduleControl(removeGame("duel_a"), T, T);
      await store().scheduleControl(removeGame("party_c", PARTY), T, T);
      await store().scheduleControl({ gameType: DUEL, call: "remove_player", gameId: "duel_d", playerId: "bob" }, T - 10, T);
      const taken = await store().takeDueControls(DUEL, T, 10);
      expect(taken.map((c) => [c.call, c.gameId, c.playerId, c.attempts, c.since])).toEqual([
        ["remove_player", "duel_d", "bob", 1, T],
        ["remove_game", "duel_a", null, 1, T],
      ]);
      expect(taken[1]!.id).toBe(now);
      // Taken: nobody else gets them until their hold is over.
      expect(await store().takeDueControls(DUEL, T + 1, 10)).toEqual([]);
      const after = await store().takeDueControls(DUEL, T + 5_000, 10);
      expect(after.map((c) => [c.id === later, c.attempts])).toEqual([
        [false, 2],
        [false, 2],
        [true, 1],
      ]);
    });

    it("backs off further with every attempt, and drops a completed call for good", async () => {
      const id = await store().scheduleControl(removeGame("duel_x"), T, T);
      let t = T;
      for (let attempt = 1; attempt <= 4; attempt++) {
        const [c] = await store().takeDueControls(DUEL, t, 10);
        expect(c).toMatchObject({ id, attempts: attempt });
        expect(await store().takeDueControls(DUEL, t + outboxHoldMs(attempt) - 1, 10)).toEqual([]);
        t += outboxHoldMs(attempt);
      }
      expect(outboxHoldMs(1)).toBe(OUTBOX_FIRST_HOLD_MS);
      await store().completeControl(DUEL, id);
      await store().completeControl(DUEL, id);
      expect(await store().takeDueControls(DUEL, t + 86_400_000, 10)).toEqual([]);
    });

    it("honours the limit", async () => {
      for (let i = 0; i < 5; i++) await store().scheduleControl(removeGame(`duel_${i}`), T + i, T);
      expect((await store().takeDueControls(DUEL, T + 10, 2)).map((c) => c.gameId)).toEqual(["duel_0", "duel_1"]);
      expect(await store().takeDueControls(DUEL, T + 10, 0)).toEqual([]);
    });
  });
}
