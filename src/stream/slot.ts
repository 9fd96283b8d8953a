/**
 * Redis Cluster key slots (CRC16/XMODEM of the key, or of its `{hash tag}`, mod 16384), so
 * the worker's own keys can sit in the same slot as a stream whose name game servers chose
 * (`game_event_stream` has no hash tag): one script may then touch both, on a cluster too.
 */

const SLOTS = 16_384;

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

/** CRC16/XMODEM of the UTF-8 bytes of `s`, as Redis computes it. Never throws. */
export function crc16(s: string): number {
  let crc = 0;
  for (const byte of Buffer.from(s, "utf8")) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc;
}

/** The part of `key` that decides its slot: the first non-empty `{…}`, else the whole key. Never throws. */
export function hashTagOf(key: string): string {
  const open = key.indexOf("{");
  if (open >= 0) {
    const close = key.indexOf("}", open + 1);
    if (close > open + 1) return key.slice(open + 1, close);
  }
  return key;
}

/** The cluster slot of `key`. Never throws. */
export const keySlot = (key: string): number => crc16(hashTagOf(key)) % SLOTS;

const found = new Map<number, string>();

/**
 * A hash tag (`{…}`, braces included) that puts a key in `key`'s slot: the key's own tag
 * when it has one, else a short search result (at most a few tens of thousands of CRCs,
 * once per slot and process). Put it at the very start of a key name (Redis hashes a key's
 * first `{…}`) to keep that key beside `key`.
 */
export function sameSlotTag(key: string): string {
  const tag = hashTagOf(key);
  if (tag !== key) return `{${tag}}`;
  const slot = keySlot(key);
  let t = found.get(slot);
  for (let i = 0; t === undefined; i++) {
    const candidate = i.toString(36);
    if (crc16(candidate) % SLOTS === slot) t = candidate;
  }
  found.set(slot, t);
  return `{${t}}`;
}
