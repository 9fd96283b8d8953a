/**
 * The bounds of what one request may carry: every list and every free-form value a client
 * sends has one, checked before any work is done (BAD_USER_INPUT), so no request is expensive
 * by construction — the Lua scripts' work per call is bounded by these too. The README's
 * "Abuse limits" section lists them.
 */
export const LIMITS = Object.freeze({
  /** Games on one page (`first`). */
  pageSize: 100,
  /** Regions in one lobby filter. */
  filterRegions: 16,
  /** Label conditions in one lobby or quickJoin filter. */
  filterLabels: 8,
  /** Entries of `states` in one filter (there are five states). */
  filterStates: 5,
  /** Labels on one game. */
  labels: 32,
  /** Characters of one string label value. */
  labelValueLength: 256,
  /** Bytes of one game's settings as JSON, and how deep they may nest. */
  settingsBytes: 8_192,
  jsonDepth: 8,
  /** Events in one reportGameEvents call, fields per event, characters per field value. */
  reportedEvents: 500,
  eventFields: 32,
  eventFieldLength: 1_024,
  /**
   * Largest rating by magnitude, from input or a token: far beyond any rating scale, and small
   * enough that sums and differences of a match's ratings stay exact and finite.
   */
  rating: 1e9,
  /**
   * Parsed graphql-ws subscription documents kept for reuse (least recently used go first), and
   * their query text in all (a parsed document takes ~80–120 bytes of heap per character, so
   * ~30 MB at most): distinct queries only churn the cache, they never grow it.
   */
  cachedDocuments: 1_000,
  cachedDocumentChars: 250_000,
});

/**
 * How deep `value` nests (a scalar is 0, `{}` and `[]` are 1), counted without recursion and
 * giving up past `max` (returns max + 1), so a hostile document costs O(max) stack and at most
 * its own size in steps. Never throws.
 */
export function jsonDepth(value: unknown, max: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    const depth = d + 1;
    if (depth > max) return max + 1;
    if (depth > deepest) deepest = depth;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) stack.push([child, depth]);
  }
  return deepest;
}
