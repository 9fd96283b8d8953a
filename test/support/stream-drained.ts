import type { Redis } from "ioredis";

/**
 * Whether the group has been handed every entry of the stream and acknowledged them all.
 * XINFO's `lag` is not enough: Redis 7.0 reports it as nil when it cannot tell (and then
 * "0 behind" would be a guess), so this compares the group's last delivered id with the
 * stream's last entry instead.
 */
export async function streamDrained(redis: Redis, key: string, group = "matchmaker"): Promise<boolean> {
  const [last] = (await redis.xrevrange(key, "+", "-", "COUNT", 1)) as [string, string[]][];
  if (!last) return true;
  const groups = (await redis.call("XINFO", "GROUPS", key).catch(() => [])) as unknown[][];
  for (const row of groups) {
    const f = new Map<unknown, unknown>();
    for (let i = 0; i + 1 < row.length; i += 2) f.set(row[i], row[i + 1]);
    if (f.get("name") !== group) continue;
    return f.get("last-delivered-id") === last[0] && Number(f.get("pending")) === 0;
  }
  return false;
}
