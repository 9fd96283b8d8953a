import type { PartyChangeMessage } from "../bus/change-bus.js";
import { LISTEN, type Watcher } from "../bus/watcher.js";
import { badInput, ErrorCode, MatchmakerError } from "../domain/errors.js";
import { type Actor, ChangeKind } from "../domain/game.js";
import type { GameTypeDef } from "../domain/game-type.js";
import {
  assertLeads,
  newParty,
  newPartyId,
  parsePartyId,
  partyNotFound,
  type PartyRecord,
  type PartyRef,
  type SeatGroup,
  seatGroupOf,
  visibleTo,
  withMember,
  withoutMember,
} from "../domain/party.js";
import { isPartyChanged } from "../store/store-errors.js";
import type { ServiceContext } from "./service-context.js";

// Members joining and leaving at once each retry their compare-and-set; a handful always suffices.
const WRITE_ATTEMPTS = 8;
// A seating redone after the party changed repeats its game-server calls: fewer tries.
const SEAT_ATTEMPTS = 3;

/**
 * Parties by consent: a leader creates one, every other member joins it themselves (the
 * party id is the invitation: 80 random bits), anyone leaves, the leader may remove a member,
 * and the leader's joinGame / joinGameByCode / quickJoin seat exactly the members of that
 * moment, all or none. Changes are published on the party's topic for partyChanged.
 */
export function createPartyOps(ctx: ServiceContext) {
  const { store, now, gameType, bus, logger } = ctx;

  const refOf = (id: string): PartyRef => {
    const ref = parsePartyId(id);
    if (!ref || !ctx.catalog.get(ref.gameType)) throw partyNotFound(id);
    return ref;
  };

  async function publish(kind: ChangeKind, party: PartyRecord | null, before: PartyRecord | null, id: string): Promise<void> {
    const change: PartyChangeMessage = {
      kind,
      partyId: id,
      version: party?.version ?? (before ? before.version + 1 : 1),
      party,
      previousMemberIds: before?.members.map((m) => m.id) ?? [],
    };
    try {
      await bus.publishParty(change);
    } catch (err) {
      logger.error({ err, partyId: id }, "publishing a party change failed");
    }
  }

  /** Reads, computes the next party with `next`, writes it if nobody changed it meanwhile; again otherwise. */
  async function update(
    id: string,
    actor: Actor,
    next: (p: PartyRecord, t: number) => PartyRecord | null,
    { membersOnly }: { membersOnly: boolean },
  ): Promise<PartyRecord | null> {
    const ref = refOf(id);
    for (let attempt = 1; ; attempt++) {
      const t = now();
      const current = await store.getParty(ref, t);
      // To a non-member a party they may not see does not exist.
      if (!current || (membersOnly && !visibleTo(current, actor))) throw partyNotFound(id);
      const after = next(current, t);
      try {
        if (after) await store.putParty(after, current.version);
        else await store.deleteParty(ref, current.version);
      } catch (err) {
        if (isPartyChanged(err) && attempt < WRITE_ATTEMPTS) continue;
        throw err;
      }
      await publish(after ? ChangeKind.UPDATED : ChangeKind.DELETED, after, current, id);
      return after;
    }
  }

  return {
    /** A new party of `gameTypeId` led by `actor`; maxSize 2 … the type's maxPlayers (default: maxPlayers). */
    async createParty(actor: Actor, gameTypeId: string, maxSize?: number | null): Promise<PartyRecord> {
      const type = gameType(gameTypeId);
      const size = maxSize ?? type.maxPlayers;
      if (!Number.isInteger(size) || size < 2 || size > type.maxPlayers) {
        throw badInput(`maxSize must be a whole number from 2 to ${type.maxPlayers} (the most players one ${type.name} game has).`);
      }
      const party = newParty(newPartyId(type.id), type.id, actor, size, now());
      await store.putParty(party, null);
      await publish(ChangeKind.CREATED, party, null, party.id);
      return party;
    },

    /** The party, for its members (and admins); null for anyone else, and for an id that is no party. */
    async getParty(actor: Actor | null, id: string): Promise<PartyRecord | null> {
      const ref = parsePartyId(id);
      if (!ref || !ctx.catalog.get(ref.gameType)) return null;
      return visibleTo(await store.getParty(ref, now()), actor);
    },

    /** Joins the party named by its id; ALREADY_JOINED, PARTY_FULL, PARTY_NOT_FOUND. */
    joinParty: (actor: Actor, id: string) => update(id, actor, (p, t) => withMember(p, actor, t), { membersOnly: false }) as Promise<PartyRecord>,

    /**
     * `playerId` (default: the caller) leaves the party; only its leader may remove someone
     * else. null when nobody is left (the party is gone). PARTY_NOT_FOUND for non-members.
     */
    leaveParty: (actor: Actor, id: string, playerId?: string | null) =>
      update(id, actor, (p, t) => withoutMember(p, playerId ?? actor.id, actor, t), { membersOnly: true }),

    /**
     * Who a join or quickJoin of `actor` seats: the caller alone, or — with `partyId` — the
     * party they lead, as it is now (the store seats it only while it stays so).
     */
    async seatGroup(actor: Actor, partyId: string | null | undefined, type: GameTypeDef): Promise<{ group: SeatGroup; party: PartyRecord | null }> {
      if (partyId == null) return { group: seatGroupOf(actor, null), party: null };
      const ref = refOf(partyId);
      const party = visibleTo(await store.getParty(ref, now()), actor);
      if (!party) throw partyNotFound(partyId);
      assertLeads(party, actor, type.id);
      return { group: seatGroupOf(actor, party), party };
    },

    /** Tells the members where their party was seated (the store recorded it: version + 1). Never throws. */
    async seated(party: PartyRecord | null, gameId: string, t: number): Promise<void> {
      if (!party) return;
      await publish(ChangeKind.UPDATED, { ...party, version: party.version + 1, seatedIn: gameId, updatedAt: t }, party, party.id);
    },

    /**
     * partyChanged for a member: every change of the party while they are in it, and the
     * one that removes them (or ends the party), after which the subscription completes.
     * PARTY_NOT_FOUND for a non-member.
     */
    async watchParty(actor: Actor | null, id: string): Promise<Watcher<PartyChangeMessage>> {
      if (!actor) throw new MatchmakerError(ErrorCode.UNAUTHENTICATED, "partyChanged needs a player token.");
      const ref = refOf(id);
      // Subscribed (and confirmed by the backend) before the check, so no change between the two is missed.
      const source = bus.subscribe<PartyChangeMessage>([bus.topics.party(id)]);
      const party = visibleTo(await source.ready.then(() => store.getParty(ref, now())).catch(async (err: unknown) => {
        await source.return();
        throw err;
      }), actor);
      if (!party) {
        await source.return();
        throw partyNotFound(id);
      }
      let finished = false;
      const isIn = (c: PartyChangeMessage) => actor.admin || (c.party?.members.some((m) => m.id === actor.id) ?? false);
      /** What the member sees of a change: it, their own removal as the party's end, or nothing. */
      const seen = (c: PartyChangeMessage): PartyChangeMessage | null => {
        if (isIn(c)) return c;
        if (!c.previousMemberIds.includes(actor.id)) return null;
        // Out of the party: to them it is gone, and they learn nothing of it any more (the
        // caller ends the watch once this last message is on its way).
        finished = true;
        return { ...c, kind: ChangeKind.DELETED, party: null };
      };
      const watcher: Watcher<PartyChangeMessage> = {
        [LISTEN]: (onMessage, onEnd) =>
          source[LISTEN]((c) => {
            if (finished) return;
            const m = seen(c);
            if (m) onMessage(m);
            if (finished) void source.return();
          }, onEnd),
        async next() {
          if (finished) return { done: true, value: undefined };
          for (;;) {
            const r = await source.next();
            if (r.done) return r;
            const m = seen(r.value);
            if (finished) void source.return();
            if (m) return { done: false, value: m };
          }
        },
        return: () => source.return(),
        throw: (e?: unknown) => source.throw(e),
        [Symbol.asyncIterator]: () => watcher,
      };
      return watcher;
    },
  };
}

export type PartyOps = ReturnType<typeof createPartyOps>;

/**
 * Runs a seating of `actor` (alone, or their party) and tells the party where it sat: when a
 * member joined or left between reading the party and seating it, the store refused, and
 * this reads the party again and retries (nothing was seated).
 */
export async function seatWithParty<T extends { game: { id: string } }>(
  parties: PartyOps,
  actor: Actor,
  partyId: string | null | undefined,
  type: GameTypeDef,
  now: () => number,
  seat: (group: SeatGroup) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const { group, party } = await parties.seatGroup(actor, partyId, type);
    try {
      const result = await seat(group);
      await parties.seated(party, result.game.id, now());
      return result;
    } catch (err) {
      if (!isPartyChanged(err) || attempt >= SEAT_ATTEMPTS) throw err;
    }
  }
}
