import type { Cluster, Redis } from "ioredis";

/**
 * A connection to one Redis or to a Redis Cluster (ioredis's Cluster client routes each
 * command to the master of its key's slot). The store, the change bus, the event stream and
 * the rate limits take either: every script and multi-key command they send touches one slot.
 */
export type RedisClient = Redis | Cluster;

export const isCluster = (r: RedisClient): r is Cluster => (r as Cluster).isCluster === true;

/** Per-connection options that a copy may override (on a cluster, for every node's connection). */
export interface CopyOptions {
  maxRetriesPerRequest?: number | null;
  autoResendUnfulfilledCommands?: boolean;
  commandTimeout?: number;
  enableAutoPipelining?: boolean;
  enableReadyCheck?: boolean;
  enableOfflineQueue?: boolean;
}

/** The command timeout the client was made with (per node on a cluster). */
export const commandTimeoutOf = (r: RedisClient): number | undefined =>
  isCluster(r) ? r.options.redisOptions?.commandTimeout : r.options.commandTimeout;

/**
 * A new connection like `r` with some options changed: for a subscriber or a blocking reader
 * that must not share the caller's connection. On a cluster the client-level options
 * (offline queue, ready check, pipelining) and the per-node ones are both set.
 */
export function copyOf(r: RedisClient, o: CopyOptions): RedisClient {
  if (!isCluster(r)) return r.duplicate(o);
  const { enableAutoPipelining, enableReadyCheck, enableOfflineQueue, ...perNode } = o;
  const top = Object.fromEntries(Object.entries({ enableAutoPipelining, enableReadyCheck, enableOfflineQueue }).filter(([, v]) => v !== undefined));
  return r.duplicate(undefined, { ...top, redisOptions: { ...r.options.redisOptions, ...perNode } });
}
