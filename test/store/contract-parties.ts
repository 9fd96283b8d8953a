import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/domain/errors.js";
import { GameState } from "../../src/domain/game.js";
import { QuickJoinPreference } from "../../src/domain/game-type.js";
import { newParty, newPartyId, type PartyRecord, withMember } from "../../src/domain/party.js";
import type { QuickJoinCommand } from "../../src/store/game-store.js";
import { isPartyChanged } from "../../src/store/store-errors.js";
import { actor, DUEL, filterOf, makeGame, player, tables } from "../support/games.js";
import { expectCode, type StoreFactory, useStore } from "./contract-support.js";
import { refOf } from "./lifecycle-support.js";

const changed = async (p: Promise<unknown>) => {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(isPartyChanged(err), `expected the party-changed refusal, got ${String(err)}`).toBe(true);
};

/** Parties: whole-record compare-and-set, and the guard that seats a party only as it was read. */
export function describeParties(factory: StoreFactory): void {
  const store = useStore(factory);
  const T = 1_800_000_000_000;
  const pair = (): PartyRecord => withMember(newParty(newPartyId(DUEL), DUEL, actor("lead"), 4, T), actor("mate"), T + 1);
  const join = (g: { gameType: string; id: string }, p: PartyRecord, version = p.version) =>
    store().join({
      ref: refOf(g),
      player: player("lead"),
      party: [player("mate")],
      partyGuard: { id: p.id, version },
      joinCode: null,
      joinable: tables.joinable,
      seatsFilled: tables.seatsFilled,
      now: T + 10,
    });

  describe("parties", () => {
    it("are written whole only over the version they were read at", async () => {
      const p = pair();
      await store().putParty(p, null);
      expect(await store().getParty(p, T + 2)).toEqual(p);
      await changed(store().putParty(p, null));
      const next = withMember(p, actor("third"), T + 3);
      await changed(store().putParty(next, p.version + 5));
      await store().putParty(next, p.version);
      expect((await store().getParty(p, T + 4))?.members.map((m) => m.id)).toEqual(["lead", "mate", "third"]);
      await changed(store().deleteParty(p, p.version));
      await store().deleteParty(p, next.version);
      expect(await store().getParty(p, T + 5)).toBeNull();
    });

    it("are seated by join only as read: then the game is recorded on the party, in the same step", async () => {
      const p = pair();
      await store().putParty(p, null);
      const g = (await store().create(makeGame({ capacity: 4 }))).game;
      // Someone joined or left since the seats were read: nothing is seated.
      await changed(join(g, p, p.version - 1));
      expect((await store().get(refOf(g)))?.players.map((x) => x.id)).toEqual(["alice"]);
      const seated = await join(g, p);
      expect(seated.game.players.map((x) => x.id)).toEqual(["alice", "lead", "mate"]);
      expect(await store().getParty(p, T + 11)).toEqual({ ...p, version: p.version + 1, seatedIn: g.id, updatedAt: T + 10 });
      // The party moved on by that seating: seats read before it are stale now.
      const other = (await store().create(makeGame({ capacity: 4 }))).game;
      await changed(join(other, p));
    });

    it("refuse seats of a party that is gone with PARTY_NOT_FOUND", async () => {
      const g = (await store().create(makeGame({ capacity: 4 }))).game;
      await expectCode(join(g, pair()), ErrorCode.PARTY_NOT_FOUND);
      expect((await store().get(refOf(g)))?.players).toHaveLength(1);
    });

    it("are seated by quickJoin only as read, whether it joins a game or creates one", async () => {
      const p = pair();
      await store().putParty(p, null);
      const qj = (version: number): QuickJoinCommand => {
        const t = T + 15;
        const players = [player("lead", t), player("mate", t)];
        return {
          gameType: DUEL,
          players,
          partyGuard: { id: p.id, version },
          filter: filterOf({ gameTypes: [DUEL], minFreeSeats: 2 }),
          region: null,
          prefer: QuickJoinPreference.FEWEST_FREE_SEATS,
          scanBudget: 50,
          joinable: tables.joinable,
          seatsFilled: tables.seatsFilled,
          newGame: makeGame({ state: GameState.CREATED, creatorId: "lead", players, capacity: 4, createdAt: t }),
          now: t,
        };
      };
      await changed(store().quickJoin(qj(p.version + 1)));
      const created = await store().quickJoin(qj(p.version));
      expect(created.created).toBe(true);
      expect((await store().getParty(p, T + 20))?.seatedIn).toBe(created.change.gameId);
      // Seated again (another game type's rules aside, a party may play on): into the game with two seats left.
      const joined = await store().quickJoin({ ...qj(p.version + 1), players: [player("lead2", T + 15), player("mate2", T + 15)] });
      expect([joined.created, joined.change.gameId]).toEqual([false, created.change.gameId]);
      expect((await store().getParty(p, T + 30))?.version).toBe(p.version + 2);
    });
  });
}
