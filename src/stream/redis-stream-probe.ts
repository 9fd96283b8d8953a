import { isCluster, type RedisClient } from "../redis/client.js";

/** Redis databases probed when the stream's own is empty (the default `databases 16`). */
const MAX_DATABASES = 16;

/** `redis://host:port (database n)` for logs: no credentials, and the database the URL selects. */
export function describeRedis(url: string): string {
  try {
    const u = new URL(url);
    const db = Number(u.pathname.replace(/^\//, "") || 0);
    return `${u.protocol}//${u.hostname}:${u.port || 6379} (database ${Number.isInteger(db) ? db : 0})`;
  } catch {
    return "the configured Redis";
  }
}

/**
 * Other databases of the stream's Redis server that hold a stream named `key`, with their
 * lengths — to catch the original deployment's layout (stream in database 1, games in 0)
 * read from the wrong database. Probes on a connection of its own, closed before it
 * resolves; resolves [] when the server does not allow SELECT (a cluster) or anything fails:
 * it only ever feeds a warning.
 */
export async function findStreamElsewhere(redis: RedisClient, key: string): Promise<{ db: number; length: number }[]> {
  // A cluster has one database.
  if (isCluster(redis)) return [];
  const own = redis.options.db ?? 0;
  const probe = redis.duplicate({ lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  probe.on("error", () => {});
  const found: { db: number; length: number }[] = [];
  try {
    await probe.connect();
    for (let db = 0; db < MAX_DATABASES; db++) {
      if (db === own) continue;
      try {
        await probe.select(db);
      } catch {
        break; // past the server's last database
      }
      if ((await probe.type(key)) === "stream") found.push({ db, length: await probe.xlen(key) });
    }
  } catch {
    return [];
  } finally {
    probe.disconnect();
  }
  return found;
}
