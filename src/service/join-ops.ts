import { ErrorCode } from "../domain/errors.js";
import type { Actor, GameChangeRecord } from "../domain/game.js";
import { canonicalJoinCode } from "../domain/ids.js";
import { joinRefusal } from "../domain/join-rules.js";
import { partySeats, type SeatGroup } from "../domain/party.js";
import type { GameTypeDef } from "../domain/game-type.js";
import type { GameRef } from "../store/game-store.js";
import { storeErrors } from "../store/store-errors.js";
import { isCode, JOINABLE, SEATS_FILLED, type Seating } from "./seating.js";
import type { ServiceContext } from "./service-context.js";
import { type PartyOps, seatWithParty } from "./party-ops.js";

/** joinGame and joinGameByCode: the caller (and party) take seats in a game they name (refusals below). */
export function createJoinOps(ctx: ServiceContext, seating: Seating, parties: PartyOps, creationWaitMs: number) {
  const { store, catalog, gameServers, now, gameType, publish } = ctx;

  // With a join code in hand, a missing game answers like a wrong code: nothing about what exists leaks.
  const notFound = (id: string, joinCode: string | null) => (joinCode === null ? storeErrors.notFound(id) : storeErrors.wrongJoinCode());

  function refOf(id: string, joinCode: string | null): GameRef {
    try {
      return ctx.ref(id);
    } catch (err) {
      if (isCode(err, ErrorCode.GAME_NOT_FOUND)) throw notFound(id, joinCode);
      throw err;
    }
  }

  /**
   * Seats the caller, or the party they lead (its members at this moment; see seatWithParty),
   * all or none. With a game server, join_game is called for each seat first (after a cheap
   * check that the join can succeed at all, and once a game still being created by
   * quickJoin has its server game), and undone with remove_player if the seats are lost
   * in the race; seats stay reserved until the server confirms each player.
   * Rejects with GAME_NOT_FOUND (FORBIDDEN when a join code was given), FORBIDDEN (also: not
   * the party's leader), ALREADY_JOINED, GAME_FULL, NOT_JOINABLE, PARTY_NOT_FOUND,
   * BAD_USER_INPUT (a party of another type), GAME_SERVER_*.
   */
  async function joinGame(
    actor: Actor,
    id: string,
    rawCode: string | null | undefined,
    partyId?: string | null,
  ): Promise<GameChangeRecord> {
    const joinCode = rawCode == null ? null : (canonicalJoinCode(rawCode) ?? rawCode);
    const r = refOf(id, joinCode);
    const type = gameType(r.gameType);
    return seatWithParty(parties, actor, partyId, type, now, (group) => seatGroupIn(type, r, group, joinCode));
  }

  async function seatGroupIn(type: GameTypeDef, r: GameRef, group: SeatGroup, joinCode: string | null): Promise<GameChangeRecord> {
    const id = r.id;
    const hosted = gameServers.hasServer(type);
    const t = now();
    const seats = partySeats(group, t, hosted ? type.seatReservationSeconds * 1_000 : null);
    if (hosted) {
      let snapshot = await store.get(r);
      if (snapshot && snapshot.serverToken === null) snapshot = await seating.awaitServerGame(r, creationWaitMs);
      if (!snapshot) throw notFound(id, joinCode);
      const refusal = joinRefusal(snapshot, group.ids, joinCode, JOINABLE);
      if (refusal) throw refusal;
      await seating.serverJoinAll(type, id, seats);
    }
    try {
      const [player, ...rest] = seats;
      const change = await store.join({
        ref: r,
        player: player!,
        party: rest,
        partyGuard: group.party,
        joinCode,
        joinable: JOINABLE,
        seatsFilled: SEATS_FILLED,
        now: t,
      });
      return await publish(change);
    } catch (err) {
      // BACKEND_UNAVAILABLE: the seats may have been taken; unconfirmed ones expire by themselves.
      if (hosted && !isCode(err, ErrorCode.BACKEND_UNAVAILABLE)) {
        // ALREADY_JOINED: a concurrent request may hold some of these seats; keep those on the server.
        const held = isCode(err, ErrorCode.ALREADY_JOINED) ? ((await store.get(r).catch(() => null))?.players ?? []) : [];
        const lost = group.ids.filter((pid) => !held.some((p) => p.id === pid));
        await seating.serverRemoveAll(type, id, lost);
      }
      if (isCode(err, ErrorCode.GAME_NOT_FOUND)) throw notFound(id, joinCode);
      throw err;
    }
  }

  return {
    joinGame,

    /**
     * Joins the private game holding `code` (any game type; case and surrounding blanks
     * ignored), like joinGame with its id. A code that no live game holds — malformed,
     * wrong, or of a game deleted meanwhile — is FORBIDDEN, never GAME_NOT_FOUND, so codes
     * cannot be probed for which games exist. Other refusals as joinGame.
     */
    async joinGameByCode(actor: Actor, code: string, partyId?: string | null): Promise<GameChangeRecord> {
      const canonical = canonicalJoinCode(code);
      const ref = canonical === null ? null : await store.findByCode(canonical);
      if (ref === null || !catalog.get(ref.gameType)) throw storeErrors.wrongJoinCode();
      return joinGame(actor, ref.id, canonical, partyId);
    },
  };
}
