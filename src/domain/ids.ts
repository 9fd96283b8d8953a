import { randomInt } from "node:crypto";
import { badInput } from "./errors.js";

/** Lowercase, no i/l/o/u: safe to read aloud, to type, and inside Redis keys. */
const ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
/** Join codes: uppercase, no 0/O/1/I/L, short enough to say across a room. */
const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const RANDOM_LENGTH = 16;
export const JOIN_CODE_LENGTH = 6;

/** Player ids (JWT `sub`, party members): also safe inside the store's `p:<id>` hash fields. */
export const PLAYER_ID_PATTERN = /^[A-Za-z0-9_.@|-]{1,128}$/;

export const GAME_TYPE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
const GAME_ID_PATTERN = /^([a-z0-9][a-z0-9-]{0,31})_([0-9a-z]{8,32})$/;

function randomString(alphabet: string, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** 16 characters of the id alphabet: 80 bits, so an id that is its own invitation cannot be guessed. Never throws. */
export const randomIdPart = (): string => randomString(ID_ALPHABET, RANDOM_LENGTH);

/** Game ids carry their type (`<type>_<random>`) so any id finds its Redis slot without a lookup. */
export function newGameId(gameType: string): string {
  return `${gameType}_${randomString(ID_ALPHABET, RANDOM_LENGTH)}`;
}

export function newJoinCode(): string {
  return randomString(CODE_ALPHABET, JOIN_CODE_LENGTH);
}

/**
 * A join code as typed by a person, in canonical form (trimmed, upper case), or null when
 * it cannot be a code this service issued. Never throws: callers answer FORBIDDEN either
 * way, so a malformed code reveals nothing a wrong one would not.
 */
export function canonicalJoinCode(raw: string): string | null {
  const code = raw.trim().toUpperCase();
  if (code.length !== JOIN_CODE_LENGTH) return null;
  for (const ch of code) if (!CODE_ALPHABET.includes(ch)) return null;
  return code;
}

/** Splits a game id; throws BAD_USER_INPUT for anything this service could not have issued. */
export function parseGameId(id: string): { gameType: string; id: string } {
  const m = GAME_ID_PATTERN.exec(id);
  if (!m) throw badInput(`"${id.slice(0, 80)}" is not a game id (expected "<gameType>_<random>", e.g. "tictactoe_3k9x…").`);
  return { gameType: m[1]!, id };
}
