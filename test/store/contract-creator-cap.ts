import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/domain/errors.js";
import { GameState } from "../../src/domain/game.js";
import { HostLeaves, QuickJoinPreference } from "../../src/domain/game-type.js";
import { GameEvent } from "../../src/domain/state-machine.js";
import type { QuickJoinCommand } from "../../src/store/game-store.js";
import { DUEL, filterOf, leaveCmd, makeGame, PARTY, player, sortOf, tables, tick } from "../support/games.js";
import { expectCode, snapshotIds, type StoreFactory, useStore } from "./contract-support.js";
import { eventCmd, refOf, transitionOf } from "./lifecycle-support.js";

const CAP = 3;

/** The cap on live games per creator and type: checked in the same atomic step as the create. */
export function describeCreatorCap(factory: StoreFactory): void {
  const store = useStore(factory);
  const create = (creatorId = "alice", gameType = DUEL) => store().create(makeGame({ creatorId, gameType }), { maxLiveCreated: CAP });
  const stored = async () => (await snapshotIds(store(), filterOf({}), sortOf())).length;

  describe("cap on live games per creator", () => {
    it("refuses the creator's game past the cap with TOO_MANY_GAMES and stores nothing; others and other types are not counted", async () => {
      for (let i = 0; i < CAP; i++) await create();
      const err = await expectCode(create(), ErrorCode.TOO_MANY_GAMES);
      expect(err.details).toEqual({ max: CAP });
      expect(await stored()).toBe(CAP);
      await create("bob");
      await create("alice", PARTY);
      // Without a cap nothing is counted.
      await store().create(makeGame({ creatorId: "alice" }));
      expect(await stored()).toBe(CAP + 3);
    });

    it("stops counting games that ended or were deleted; a game handed to another player still counts for its creator", async () => {
      const games = [];
      for (let i = 0; i < CAP; i++) games.push((await create()).game);
      await expectCode(create(), ErrorCode.TOO_MANY_GAMES);
      const [ended, deleted, handedOver] = games;
      await store().applyEvent(eventCmd(ended!, transitionOf(GameEvent.GAME_OVER), tick()));
      await create();
      await expectCode(create(), ErrorCode.TOO_MANY_GAMES);
      await store().delete({ ref: refOf(deleted!), actor: null, now: tick() });
      await create();
      await store().join({ ref: refOf(handedOver!), player: player("bob"), joinCode: null, joinable: tables.joinable, seatsFilled: tables.seatsFilled, now: tick() });
      const left = await store().leave({ ...leaveCmd(handedOver!, "alice"), hostLeaves: HostLeaves.MIGRATE });
      expect(left.game.creatorId).toBe("bob");
      // Handing games over frees no slot: otherwise two accounts could pile up any number.
      await expectCode(create(), ErrorCode.TOO_MANY_GAMES);
      expect((await store().get(refOf(ended!)))?.state).toBe(GameState.ENDED);
    });

    it("holds under 20 concurrent creates: exactly the cap is stored", async () => {
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => create()));
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(CAP);
      for (const o of outcomes) if (o.status === "rejected") expect((o.reason as { code: string }).code).toBe(ErrorCode.TOO_MANY_GAMES);
      expect(await stored()).toBe(CAP);
    });

    it("quickJoin still seats a capped player in a game that fits, and refuses only to create one", async () => {
      for (let i = 0; i < CAP; i++) await create();
      const qj = (ids: string[]): QuickJoinCommand => {
        const t = tick();
        const players = ids.map((id) => player(id, t));
        return {
          gameType: DUEL,
          maxLiveCreated: CAP,
          players,
          filter: filterOf({ gameTypes: [DUEL], minFreeSeats: ids.length }),
          region: null,
          prefer: QuickJoinPreference.FEWEST_FREE_SEATS,
          scanBudget: 50,
          joinable: tables.joinable,
          seatsFilled: tables.seatsFilled,
          newGame: makeGame({ state: GameState.CREATED, creatorId: ids[0], players, capacity: 4, createdAt: t }),
          now: t,
        };
      };
      // bob's open game fits alice's party of two.
      const bobs = (await create("bob")).game;
      const seated = await store().quickJoin(qj(["alice", "carol"]));
      expect([seated.created, seated.change.gameId]).toEqual([false, bobs.id]);
      // Nothing fits a party of four: alice may not create one.
      await expectCode(store().quickJoin(qj(["alice", "d", "e", "f"])), ErrorCode.TOO_MANY_GAMES);
      expect(await stored()).toBe(CAP + 1);
    });
  });
}
