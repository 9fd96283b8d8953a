/**
 * Stream entry ids ("<ms>-<seq>", as Redis Streams issue them) are the order of a game's
 * events: a store remembers the last one it applied per game and takes every entry at or
 * before it as already applied.
 */

const ENTRY_ID = /^(\d{1,16})-(\d{1,19})$/;

/** Whether `id` is a well-formed stream entry id. Never throws. */
export const isEntryId = (id: string): boolean => ENTRY_ID.test(id);

/**
 * Negative when `a` comes before `b` in the stream, 0 when equal, positive after.
 * Compared as numbers, part by part (string order would put "10-0" before "9-0").
 * Throws RangeError for a malformed id.
 */
export function compareEntryIds(a: string, b: string): number {
  const x = ENTRY_ID.exec(a);
  const y = ENTRY_ID.exec(b);
  if (!x || !y) throw new RangeError(`not a stream entry id: ${JSON.stringify(x ? b : a)}`);
  const ms = Number(x[1]) - Number(y[1]);
  if (ms !== 0) return ms;
  // Sequence numbers can pass 2^53 in principle; BigInt keeps them exact.
  const seq = BigInt(x[2]!) - BigInt(y[2]!);
  return seq < 0n ? -1 : seq > 0n ? 1 : 0;
}
