import type { Redis } from "ioredis";
import type { DeadLetter, EventStream, StreamEntry } from "./event-stream.js";

export interface RedisEventStreamOptions {
  /** The caller's connection, used for everything but the blocking read; never closed here. */
  redis: Redis;
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

/** A blocking read longer than this keeps a closing worker waiting for nothing (house style: a few seconds at most). */
export const MAX_BLOCK_MS = 5_000;
/** XAUTOCLAIM scans at most 10 × COUNT PEL entries per call; a second round covers sparse PELs without looping forever. */
const AUTOCLAIM_ROUNDS = 2;
/** Prefix of the fields deadLetter adds, so the original fields stay replayable as they are. */
export const DEAD_FIELD_PREFIX = "dead_";

type RawEntry = [id: string, fields: string[] | null] | null;

const isNoGroup = (err: unknown) => err instanceof Error && err.message.startsWith("NOGROUP");

function toFields(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return fields;
}

const flatten = (fields: Record<string, string>) => Object.entries(fields).flat();

/**
 * The event stream on Redis Streams with one consumer group. Commands run on the caller's
 * `redis`; the blocking XREADGROUP runs on a connection duplicated lazily (with
 * `maxRetriesPerRequest: null`, so a blocked read survives a reconnect) and closed by close().
 * Every method rejects with the Redis/connection error when a command fails, except where
 * its TSDoc says otherwise.
 */
export function createRedisEventStream(opts: RedisEventStreamOptions): EventStream {
  const { redis, key } = opts;
  const group = opts.group ?? "matchmaker";
  const maxLen = opts.maxLen ?? 1_000_000;
  const deadLetterKey = `${key}:dead`;
  let reader: Redis | undefined;
  let state: "open" | "closing" | "closed" = "open";

  function readerConnection(): Redis {
    if (state !== "open") throw new Error(`event stream ${key} is closed`);
    if (!reader) {
      reader = redis.duplicate({ maxRetriesPerRequest: null });
      // Failures surface as rejected reads (and on the caller's connection); without a
      // listener ioredis would also print every reconnect error to stderr.
      reader.on("error", () => {});
    }
    return reader;
  }

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

  /**
   * Delivery counts for entries just claimed by `consumer`, from XPENDING over their id range.
   * Entries missing there were acked or claimed by someone else meanwhile and are dropped.
   * Usually one call; pages on only when the consumer holds many other entries in that range.
   */
  async function withDeliveries(consumer: string, claimed: { id: string; fields: Record<string, string> }[]) {
    const wanted = new Map(claimed.map((e) => [e.id, e]));
    const counts = new Map<string, number>();
    const pageSize = Math.max(16, claimed.length * 2);
    const maxId = claimed[claimed.length - 1]!.id;
    let start = claimed[0]!.id;
    for (;;) {
      const page = (await redis.call("XPENDING", [key, group, start, maxId, pageSize, consumer])) as [string, string, number, number][];
      for (const [id, , , deliveries] of page) if (wanted.has(id)) counts.set(id, deliveries);
      if (page.length < pageSize || counts.size === wanted.size) break;
      start = `(${page[page.length - 1]![0]}`;
    }
    const out: StreamEntry[] = [];
    for (const e of claimed) {
      const deliveries = counts.get(e.id);
      if (deliveries !== undefined) out.push({ ...e, deliveries });
    }
    return out;
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

    /** Resolves [] when the group was missing (it is recreated) or when close() interrupted the read. */
    async readNew(consumer, count, blockMs) {
      const block = Math.min(Math.max(0, Math.floor(blockMs)), MAX_BLOCK_MS);
      // BLOCK 0 would wait forever: a non-blocking read simply omits it.
      const blockArgs = block > 0 ? ["BLOCK", block] : [];
      let reply: [string, RawEntry[]][] | null;
      try {
        reply = (await readerConnection().call("XREADGROUP", [
          "GROUP", group, consumer, "COUNT", count, ...blockArgs, "STREAMS", key, ">",
        ])) as [string, RawEntry[]][] | null;
      } catch (err) {
        if (state !== "open") return [];
        if (!isNoGroup(err)) throw err;
        // The stream (and with it the group) was deleted, e.g. by an operator: start over.
        await ensureGroup();
        return [];
      }
      const out: StreamEntry[] = [];
      for (const raw of reply?.[0]?.[1] ?? []) {
        if (raw?.[1]) out.push({ id: raw[0], fields: toFields(raw[1]), deliveries: 1 });
      }
      return out;
    },

    /** Resolves [] when the group does not exist (readNew recreates it). */
    async claimIdle(consumer, minIdleMs, count) {
      const claimed: { id: string; fields: Record<string, string> }[] = [];
      const deleted: string[] = [];
      let cursor = "0-0";
      try {
        for (let round = 0; round < AUTOCLAIM_ROUNDS && claimed.length < count; round++) {
          const [next, entries, gone] = (await redis.call("XAUTOCLAIM", [
            key, group, consumer, Math.max(0, Math.floor(minIdleMs)), cursor, "COUNT", count - claimed.length,
          ])) as [string, RawEntry[], string[] | undefined];
          for (const raw of entries) {
            // Redis 6.2 reports trimmed/deleted entries as [id, nil] and keeps them pending;
            // Redis 7 lists them in the 3rd element and already dropped them from the PEL.
            if (raw?.[1]) claimed.push({ id: raw[0], fields: toFields(raw[1]) });
            else if (raw) deleted.push(raw[0]);
          }
          deleted.push(...(gone ?? []));
          cursor = next;
          if (cursor === "0-0") break;
        }
      } catch (err) {
        if (isNoGroup(err)) return [];
        throw err;
      }
      await ack(deleted);
      return claimed.length > 0 ? withDeliveries(consumer, claimed) : [];
    },

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
      tx.call("XACK", [key, group, ...letters.map((l) => l.entry.id)]);
      const results = await tx.exec();
      if (!results) throw new Error("dead-letter transaction was aborted");
      for (const [err] of results) if (err) throw err;
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
        if (err instanceof Error && /no such key/i.test(err.message)) return null;
        throw err;
      }
      for (const info of groups) {
        const fields = new Map<string, unknown>();
        for (let i = 0; i + 1 < info.length; i += 2) fields.set(String(info[i]), info[i + 1]);
        if (fields.get("name") !== group) continue;
        const lag = fields.get("lag");
        return typeof lag === "number" ? lag : null;
      }
      return null;
    },

    /** Disconnects the reader connection at once (interrupting a blocked read); never throws. */
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
