import { badInput } from "./errors.js";
import type { Actor, PlayerRecord } from "./game.js";
import { PLAYER_ID_PATTERN } from "./ids.js";

/**
 * A party is the caller plus the other player ids the caller names: they are seated
 * together, all or none. The matchmaker takes the caller's word for who is in it (a
 * client or party service that grouped them); members are shown under their ids as
 * names until they act themselves.
 */
export interface Party {
  /** The caller first, then the members in the order given. */
  ids: string[];
}

/**
 * Validates the members the caller names: well-formed player ids, no duplicates, not the
 * caller, and at most `maxSeats − 1` of them (`maxSeats`: the most seats one game can have).
 * Throws BAD_USER_INPUT naming the problem.
 */
export function partyOf(caller: Actor, members: readonly string[] | null | undefined, maxSeats: number): Party {
  const others = members ?? [];
  // The count first: nothing else is looked at in a list that is too long.
  if (others.length > maxSeats - 1) {
    throw badInput(`party: at most ${maxSeats - 1} other players fit in one game of this type (you named ${others.length}).`);
  }
  const bad = others.find((id) => !PLAYER_ID_PATTERN.test(id));
  if (bad !== undefined) throw badInput(`party: "${bad.slice(0, 80)}" is not a player id (${PLAYER_ID_PATTERN}).`);
  if (others.includes(caller.id)) throw badInput("party: list only the other players; you are always part of your party.");
  if (new Set(others).size !== others.length) throw badInput("party: a player is listed twice.");
  return { ids: [caller.id, ...others] };
}

/**
 * The seats of a party at time `t`: the caller under their own name, members under their
 * ids. `reservedFor` (ms): how long an unconfirmed seat is held (hosted types), null for
 * seats that need no confirmation; `confirmedIds` get confirmed seats regardless (a creator).
 * Never throws.
 */
export function partySeats(
  caller: Actor,
  party: Party,
  t: number,
  reservedFor: number | null,
  confirmedIds: readonly string[] = [],
): PlayerRecord[] {
  return party.ids.map((id) => {
    const confirmed = reservedFor === null || confirmedIds.includes(id);
    return {
      id,
      name: id === caller.id ? caller.name : id,
      joinedAt: t,
      confirmed,
      reservedUntil: confirmed ? null : t + reservedFor!,
    };
  });
}
