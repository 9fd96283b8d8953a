import { randomIdPart } from "./ids.js";
import { badInput, ErrorCode, MatchmakerError } from "./errors.js";
import type { Actor, PlayerRecord } from "./game.js";

/**
 * A party: players who each joined it themselves, to be seated together by its leader — all
 * or none. Nobody is seated who did not join. A party belongs to one game type (its games'
 * Redis slot) and is forgotten after PARTY_IDLE_MS without a change.
 */
export interface PartyRecord {
  id: string;
  gameType: string;
  /** Always one of the members; passes to the longest-standing member when the leader leaves. */
  leaderId: string;
  /** In the order they joined, the leader among them. */
  members: PartyMember[];
  /** Most members (at most the type's maxPlayers). */
  maxSize: number;
  /** +1 on every change, seating included. */
  version: number;
  createdAt: number;
  updatedAt: number;
  /** The game the leader last seated the party in (members find their seats there), or null. */
  seatedIn: string | null;
}

export interface PartyMember {
  id: string;
  name: string;
  joinedAt: number;
  /** The `ratings` claim of the token they joined with (queues whose ratings come from tokens read it). */
  ratings?: Readonly<Record<string, number>>;
  /** When that token expired (epoch ms): its ratings count until then only. */
  ratingsUntil?: number;
}

/** A party nobody changes for this long is forgotten (members who still want it make a new one). */
export const PARTY_IDLE_MS = 3_600_000;

export const partyExpiresAt = (p: Pick<PartyRecord, "updatedAt">): number => p.updatedAt + PARTY_IDLE_MS;

export interface PartyRef {
  gameType: string;
  id: string;
}

const PARTY_ID_PATTERN = /^party_([a-z0-9][a-z0-9-]{0,31})_([0-9a-z]{16})$/;

/** Party ids carry their type (`party_<type>_<random>`) so any id finds its Redis slot without a lookup. */
export function newPartyId(gameType: string): string {
  // A party id is its own invitation: unguessable.
  return `party_${gameType}_${randomIdPart()}`;
}

/** Splits a party id; null for anything this service could not have issued. Never throws. */
export function parsePartyId(id: string): PartyRef | null {
  const m = PARTY_ID_PATTERN.exec(id);
  return m ? { gameType: m[1]!, id } : null;
}

export const partyNotFound = (id: string) =>
  new MatchmakerError(ErrorCode.PARTY_NOT_FOUND, `Party "${id.slice(0, 80)}" does not exist (it may have been left by everyone, or been idle too long).`);

const isMember = (p: PartyRecord, playerId: string) => p.members.some((m) => m.id === playerId);

/** A member as `player` joins at `now`, with their token's ratings if it has any. */
const memberOf = (player: Actor, now: number): PartyMember => ({
  id: player.id,
  name: player.name,
  joinedAt: now,
  ...(player.ratings ? { ratings: { ...player.ratings }, ...(player.ratingsUntil !== undefined ? { ratingsUntil: player.ratingsUntil } : {}) } : {}),
});

/** A new party with `leader` as its only member. */
export function newParty(id: string, gameType: string, leader: Actor, maxSize: number, now: number): PartyRecord {
  return { id, gameType, leaderId: leader.id, members: [memberOf(leader, now)], maxSize, version: 1, createdAt: now, updatedAt: now, seatedIn: null };
}

const sameRatings = (a: PartyMember, b: PartyMember) => a.ratingsUntil === b.ratingsUntil && JSON.stringify(a.ratings ?? null) === JSON.stringify(b.ratings ?? null);

/**
 * `p` with `player` added; PARTY_FULL when no place is left. A member joining again with a token
 * whose ratings differ from those they joined with (a fresher token, say) brings them up to date;
 * otherwise ALREADY_JOINED.
 */
export function withMember(p: PartyRecord, player: Actor, now: number): PartyRecord {
  const at = p.members.findIndex((m) => m.id === player.id);
  if (at >= 0) {
    const was = p.members[at]!;
    const refreshed = { ...memberOf(player, was.joinedAt), name: was.name };
    if (!player.ratings || sameRatings(was, refreshed)) throw new MatchmakerError(ErrorCode.ALREADY_JOINED, `You are already in party "${p.id}".`);
    return { ...p, members: p.members.map((m, i) => (i === at ? refreshed : m)), version: p.version + 1, updatedAt: now };
  }
  if (p.members.length >= p.maxSize) throw new MatchmakerError(ErrorCode.PARTY_FULL, `Party "${p.id}" is full (${p.maxSize} players).`, { maxSize: p.maxSize });
  return { ...p, members: [...p.members, memberOf(player, now)], version: p.version + 1, updatedAt: now };
}

/**
 * `p` without `playerId`, as asked by `by` (the player themselves, or the leader removing a
 * member); null when nobody is left. A leader who leaves hands over to the longest-standing
 * member. NOT_A_PLAYER when `playerId` is no member, FORBIDDEN when `by` may not remove them.
 */
export function withoutMember(p: PartyRecord, playerId: string, by: Actor, now: number): PartyRecord | null {
  if (by.id !== playerId && by.id !== p.leaderId && !by.admin) {
    throw new MatchmakerError(ErrorCode.FORBIDDEN, "Only the party's leader may remove another member.");
  }
  if (!isMember(p, playerId)) throw new MatchmakerError(ErrorCode.NOT_A_PLAYER, `"${playerId.slice(0, 80)}" is not in party "${p.id}".`);
  const members = p.members.filter((m) => m.id !== playerId);
  if (members.length === 0) return null;
  const leaderId = p.leaderId === playerId ? members[0]!.id : p.leaderId;
  return { ...p, members, leaderId, version: p.version + 1, updatedAt: now };
}

/** The party `actor` leads, for seating it: FORBIDDEN unless the leader, BAD_USER_INPUT for another game type. */
export function assertLeads(p: PartyRecord, actor: Actor, gameType: string): void {
  if (p.leaderId !== actor.id) throw new MatchmakerError(ErrorCode.FORBIDDEN, "Only the party's leader may seat the party.");
  if (p.gameType !== gameType) throw badInput(`Party "${p.id}" is for ${p.gameType}, not ${gameType}.`);
}

/** What a member may see; a non-member learns nothing (null), as if the party did not exist. */
export const visibleTo = (p: PartyRecord | null, actor: Actor | null): PartyRecord | null =>
  p && actor && (isMember(p, actor.id) || actor.admin) ? p : null;

/**
 * Who is seated: the caller alone, or (seating a party) every member, the leader first —
 * each under the name they joined with. Never throws.
 */
export interface SeatGroup {
  /** Player ids in seating order, the caller first. */
  ids: string[];
  names: ReadonlyMap<string, string>;
  /** The party's id and the version it was read at: the store seats it only if it is still so. */
  party: { id: string; version: number } | null;
}

export function seatGroupOf(caller: Actor, party: PartyRecord | null): SeatGroup {
  if (!party) return { ids: [caller.id], names: new Map([[caller.id, caller.name]]), party: null };
  const others = party.members.filter((m) => m.id !== caller.id);
  return {
    ids: [caller.id, ...others.map((m) => m.id)],
    names: new Map([[caller.id, caller.name], ...others.map((m) => [m.id, m.name] as [string, string])]),
    party: { id: party.id, version: party.version },
  };
}

/**
 * The seats of a group at time `t`. `reservedFor` (ms): how long an unconfirmed seat is held
 * (hosted types), null for seats that need no confirmation; `confirmedIds` get confirmed seats
 * regardless (a creator). Never throws.
 */
export function partySeats(
  group: SeatGroup,
  t: number,
  reservedFor: number | null,
  confirmedIds: readonly string[] = [],
): PlayerRecord[] {
  return group.ids.map((id) => {
    const confirmed = reservedFor === null || confirmedIds.includes(id);
    return { id, name: group.names.get(id) ?? id, joinedAt: t, confirmed, reservedUntil: confirmed ? null : t + reservedFor! };
  });
}
