import { commandTimeoutOf, copyOf, isCluster, type RedisClient } from "../redis/client.js";
import { compareEntryIds } from "../domain/entry-ids.js";
import { type ClaimPage, type DeadLetter, type EventStream, type Lease, LeaseLostError, type StreamEntry } from "./event-stream.js";
import { LEASE_LOST, registerStreamScripts, type StreamScriptRunner } from "./redis/scripts.js";
import { sameSlotTag } from "./slot.js";

export interface RedisEventStreamOptions {
  /** The caller's connection, used for everything but the blocking wait; never closed here. */
  redis: RedisClient;
  /** Stream key, e.g. `game_event_stream`. The dead-letter stream is `<key>:dead`. */
  key: string;
  group?: string;
  /** Approximate cap (MAXLEN ~) of the stream and of its dead-letter stream. */
  maxLen?: number;
  /**
   * Where a newly created group starts: "0" (default) delivers everything already in the
   * stream; "$" only what comes next (for a stream that holds another system's history).
   */
  groupStart?: "0" | "$";
}

/** A blocking wait longer than this keeps a closing worker waiting for nothing (house style: a few seconds at most). */
export const MAX_BLOCK_MS = 5_000;
/** Prefix of the fields deadLetter adds, so the original fields stay replayable as they are. */
export const DEAD_FIELD_PREFIX = "dead_";

type RawEntry = [id: string, fields: string[]];

const isNoGroup = (err: unknown) => err instanceof Error && err.message.includes("NOGROUP");
const isNoStream = (err: unknown) => err instanceof Error && /no such key/i.test(err.message);

function toFields(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return fields;
}

const flatten = (fields: Record<string, string>) => Object.entries(fields).flat();
const leaseValue = (lease: Lease) => `${lease.token} ${lease.consumer}`;

/** XINFO-style flat [name, value, …] replies as a map. */
function infoOf(flat: unknown[]): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (let i = 0; i + 1 < flat.length; i += 2) m.set(String(flat[i]), flat[i + 1]);
  return m;
}

/**
 * The event stream on Redis Streams with one consumer group and one lease. The lease and
 * its fencing-token counter sit in the stream's own cluster slot (see sameSlotTag), so every
 * fenced call is one Lua script that checks the lease and acts in the same step. Commands run
 * on the caller's `redis`; a blocking read runs on a connection duplicated lazily (with
 * `maxRetriesPerRequest: null`, so it survives a reconnect) and closed by close().
 * Every method rejects with the Redis/connection error when a command fails, except where its
 * TSDoc says otherwise.
 */
export function createRedisEventStream(opts: RedisEventStreamOptions): EventStream {
  const { redis, key } = opts;
  const group = opts.group ?? "matchmaker";
  const maxLen = opts.maxLen ?? 1_000_000;
  const deadLetterKey = `${key}:dead`;
  // The tag goes first: Redis hashes the first {…} of a key, whatever the stream's own name holds.
  const tag = sameSlotTag(key);
  const leaseKey = `${tag}${key}:lease`;
  const tokenKey = `${tag}${key}:lease-token`;
  let reader: RedisClient | undefined;
  let run: StreamScriptRunner | undefined;
  let state: "open" | "closing" | "closed" = "open";

  /**
   * Reads, waits and takeovers run on a connection of their own that never re-sends a
   * command whose answer a reconnect lost: re-sent, a read or claim would take the next
   * entries while the lost ones sit unseen in our pending list. A lost answer is an error
   * instead, and the consumer takes everything over again.
   */
  function readerConnection(): { conn: RedisClient; run: StreamScriptRunner } {
    if (state !== "open") throw new Error(`event stream ${key} is closed`);
    if (!reader) {
      // A blocked wait lasts up to MAX_BLOCK_MS: only an answer overdue past that is a lost one.
      const timeout = commandTimeoutOf(redis);
      reader = copyOf(redis, {
        maxRetriesPerRequest: null,
        autoResendUnfulfilledCommands: false,
        commandTimeout: timeout === undefined ? undefined : MAX_BLOCK_MS + timeout,
        // A new cluster client learns its slots first: its first reads wait for that instead of
        // failing ("Cluster isn't ready"); each still ends within its command timeout.
        ...(isCluster(redis) ? { enableOfflineQueue: true } : {}),
      });
      // Failures surface as rejected calls (and on the caller's connection); without a
      // listener ioredis would also print every reconnect error to stderr.
      reader.on("error", () => {});
      run = registerStreamScripts(reader);
    }
    return { conn: reader, run: run! };
  }
  const leaseScripts = registerStreamScripts(redis);

  async function ensureGroup(): Promise<void> {
    try {
      await redis.call("XGROUP", ["CREATE", key, group, opts.groupStart ?? "0", "MKSTREAM"]);
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith("BUSYGROUP"))) throw err;
    }
  }

  async function ack(ids: string[]): Promise<void> {
    if (ids.length > 0) await redis.call("XACK", [key, group, ...ids]);
  }

  /** A fenced script; LeaseLostError when the lease is not the caller's, NOGROUP → the group is recreated and `empty` returned. */
  async function fenced<T>(lease: Lease, name: "afterRead" | "claimOthers" | "claim" | "prune", args: (string | number)[], empty: T): Promise<unknown[] | T> {
    let reply: unknown[];
    try {
      reply = (await readerConnection().run(name, [leaseKey, key], [leaseValue(lease), group, ...args])) as unknown[];
    } catch (err) {
      if (!isNoGroup(err) && !isNoStream(err)) throw err;
      // The stream (and with it the group) was deleted, e.g. by an operator: start over.
      await ensureGroup();
      return empty;
    }
    if (reply[0] === LEASE_LOST) throw new LeaseLostError(lease);
    return reply;
  }

  /** Entries pending on other consumers (read by a worker that lost the lease), taken over in pages. */
  async function claimOthers(lease: Lease, count: number): Promise<StreamEntry[]> {
    const out: StreamEntry[] = [];
    for (;;) {
      const reply = await fenced(lease, "claimOthers", [lease.consumer, count], null);
      if (reply === null) return out;
      const [raw, counts, gone] = reply as [RawEntry[], number[], string[]];
      await ack(gone);
      raw.forEach(([id, flat], i) => out.push({ id, fields: toFields(flat), deliveries: counts[i] ?? 2 }));
      if (raw.length + gone.length < count) return out;
    }
  }

  /**
   * A plain XREADGROUP, then one fenced script that confirms the lease and counts entries
   * pending on other consumers; any such entries — read by a worker after it lost the lease
   * — are taken over and merged with the batch in stream order, so the holder never applies
   * an entry before an older one of the same game that a fenced-off worker holds. When
   * nothing is new it waits (XREAD BLOCK on a connection of its own, which takes nothing
   * from the group, so a wait abandoned by stop() delivers nothing), checks the lease again
   * and reads once more. Rejects with LeaseLostError when the lease is not held (what was
   * read stays pending for the holder). Resolves [] when close() interrupted the wait or the
   * group had to be recreated.
   */
  async function readNew(lease: Lease, count: number, blockMs: number): Promise<StreamEntry[]> {
    if (state !== "open") return [];
    const block = Math.min(Math.max(0, Math.floor(blockMs)), MAX_BLOCK_MS);
    const { conn } = readerConnection();
    // Both go out at once, in this order: the check runs right after the read, no round trip between.
    const reading = conn.call("XREADGROUP", ["GROUP", group, lease.consumer, "COUNT", count, "STREAMS", key, ">"]) as Promise<
      [string, RawEntry[]][] | null
    >;
    const checking = fenced(lease, "afterRead", [lease.consumer], null);
    let reply: [string, RawEntry[]][] | null;
    try {
      reply = await reading;
    } catch (err) {
      checking.catch(() => {});
      if (state !== "open") return [];
      if (!isNoGroup(err)) throw err;
      // The stream (and with it the group) was deleted, e.g. by an operator: start over.
      await ensureGroup();
      return [];
    }
    const entries: StreamEntry[] = (reply?.[0]?.[1] ?? []).filter((raw) => raw?.[1]).map(([id, flat]) => ({ id, fields: toFields(flat), deliveries: 1 }));
    const check = await checking;
    if (check === null) return entries;
    const [, others, last] = check as [number, number, string];
    if (others > 0) {
      const merged = [...entries, ...(await claimOthers(lease, Math.max(count, 100)))];
      return merged.sort((a, b) => compareEntryIds(a.id, b.id));
    }
    if (entries.length > 0 || block === 0) return entries;
    try {
      const woke = await conn.call("XREAD", ["COUNT", 1, "BLOCK", block, "STREAMS", key, last || "$"]);
      if (woke === null) return [];
    } catch (err) {
      if (state !== "open") return [];
      throw err;
    }
    // Still ours after the wait? (A wait abandoned by stop() must not take entries.)
    await fenced(lease, "afterRead", [lease.consumer], null);
    return readNew(lease, count, 0);
  }

  return {
    key,
    deadLetterKey,
    ensureGroup,
    ack,

    async append(entries) {
      if (entries.length === 0) return [];
      // MULTI, not a pipeline: reportGameEvents promises all or nothing.
      const tx = redis.multi();
      for (const fields of entries) {
        const flat = flatten(fields);
        if (flat.length === 0) throw new Error("a stream entry needs at least one field");
        tx.call("XADD", [key, "MAXLEN", "~", maxLen, "*", ...flat]);
      }
      const results = (await tx.exec()) ?? [];
      return results.map(([err, id]) => {
        if (err) throw err;
        return id as string;
      });
    },

    async acquireLease(consumer, ttlMs) {
      const [token, who] = (await leaseScripts("acquire", [leaseKey, tokenKey], [consumer, Math.max(1, Math.floor(ttlMs))])) as [number, string];
      return token > 0 && who === consumer ? { consumer, token } : null;
    },

    async renewLease(l, ttlMs) {
      return (await leaseScripts("renew", [leaseKey], [leaseValue(l), Math.max(1, Math.floor(ttlMs))])) === 1;
    },

    async releaseLease(l) {
      await leaseScripts("release", [leaseKey], [leaseValue(l)]);
    },

    async leaseHolder() {
      return (await redis.get(leaseKey)) ?? null;
    },

    readNew,

    async claimPending(lease, cursor, count): Promise<ClaimPage> {
      const reply = await fenced(lease, "claim", [lease.consumer, cursor, count], null);
      if (reply === null) return { entries: [], next: "0-0" };
      const [next, raw, counts, gone] = reply as [string, RawEntry[], number[], string[]];
      // Entries trimmed away while pending cannot be applied any more; nothing is left to wait for.
      await ack(gone);
      const entries = raw.map(([id, flat], i) => ({ id, fields: toFields(flat), deliveries: counts[i] ?? 1 }));
      return { entries, next };
    },

    async removeIdleConsumers(lease) {
      const reply = await fenced(lease, "prune", [lease.consumer], null);
      return reply === null ? [] : (reply[1] as string[]);
    },

    /** The copies first (one MULTI), the ack only once every copy is written: a refused copy leaves its entry pending. */
    async deadLetter(letters: DeadLetter[]) {
      if (letters.length === 0) return;
      const tx = redis.multi();
      for (const { entry, reason, detail } of letters) {
        tx.call("XADD", [
          deadLetterKey, "MAXLEN", "~", maxLen, "*",
          ...flatten(entry.fields),
          `${DEAD_FIELD_PREFIX}reason`, reason,
          `${DEAD_FIELD_PREFIX}detail`, detail,
          `${DEAD_FIELD_PREFIX}original_id`, entry.id,
          `${DEAD_FIELD_PREFIX}deliveries`, String(entry.deliveries),
        ]);
      }
      const results = await tx.exec();
      if (!results) throw new Error("dead-letter transaction was aborted");
      for (const [err] of results) if (err) throw err;
      await ack(letters.map((l) => l.entry.id));
    },

    /** 0 when the stream or group does not exist yet. */
    async pendingCount() {
      try {
        const [count] = (await redis.call("XPENDING", [key, group])) as [number, ...unknown[]];
        return Number(count);
      } catch (err) {
        if (isNoGroup(err)) return 0;
        throw err;
      }
    },

    /** null when the stream/group is missing or Redis cannot tell (before 7.0, or after some deletions). */
    async lag() {
      let groups: unknown[][];
      try {
        groups = (await redis.call("XINFO", ["GROUPS", key])) as unknown[][];
      } catch (err) {
        if (isNoStream(err)) return null;
        throw err;
      }
      for (const info of groups) {
        const fields = infoOf(info);
        if (fields.get("name") !== group) continue;
        const lag = fields.get("lag");
        return typeof lag === "number" ? lag : null;
      }
      return null;
    },

    /** [] when the stream or group does not exist yet. */
    async consumers() {
      try {
        const rows = (await redis.call("XINFO", ["CONSUMERS", key, group])) as unknown[][];
        return rows.map((row) => {
          const f = infoOf(row);
          return { name: String(f.get("name")), pending: Number(f.get("pending")) };
        });
      } catch (err) {
        if (isNoGroup(err) || isNoStream(err)) return [];
        throw err;
      }
    },

    /** Disconnects the reading connection at once (interrupting a blocked wait); never throws. */
    async close() {
      if (state !== "open") return;
      state = "closing";
      try {
        reader?.disconnect();
      } catch {
        // Already disconnected: nothing left to release.
      }
      reader = undefined;
      state = "closed";
    },
  };
}
