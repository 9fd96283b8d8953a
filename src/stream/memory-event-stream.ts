import { compareEntryIds } from "../domain/entry-ids.js";
import { type ClaimPage, type DeadLetter, type EventStream, type Lease, LeaseLostError, type StreamEntry } from "./event-stream.js";

export interface MemoryEventStreamOptions {
  key?: string;
  /** Cap of the stream and of the dead-letter list; the oldest entries go first. */
  maxLen?: number;
}

/** The embedded-mode event stream, plus what an operator would otherwise read from `<key>:dead`. */
export interface MemoryEventStream extends EventStream {
  /** Copies of the dead-lettered entries, oldest first. */
  deadLetters(): DeadLetter[];
}

interface Stored {
  /** Position in the stream since creation; never reused, so it doubles as a cursor. */
  seq: number;
  id: string;
  fields: Record<string, string>;
}

interface Pending {
  consumer: string;
  deliveries: number;
}

/** Dropping the trimmed prefix of the array only now and then keeps trimming O(1) amortised. */
const COMPACT_AFTER = 1_024;

/**
 * An in-process stream with the consumer-group semantics of Redis Streams (one group) and
 * the same lease: Redis-style ids, a last-delivered cursor, a pending list with delivery
 * counts, takeover of pending entries, exact MAXLEN trimming, a lease with fencing tokens on
 * the process clock. Used by `npm start` when no Redis is configured, so it lives and dies
 * with the process. Methods never fail, except append (an entry without fields, as XADD) and
 * the fenced calls (LeaseLostError).
 */
export function createMemoryEventStream(opts: MemoryEventStreamOptions = {}): MemoryEventStream {
  const key = opts.key ?? "game_event_stream";
  const maxLen = Math.max(1, opts.maxLen ?? 100_000);
  const log: Stored[] = [];
  /** log[head] is the oldest live entry; log[0..head) are trimmed and awaiting compaction. */
  let head = 0;
  let nextSeq = 0;
  const byId = new Map<string, Stored>();
  /** Insertion order is id order: reads add in stream order and claims update in place. */
  const pending = new Map<string, Pending>();
  const consumerNames = new Set<string>();
  const dead: DeadLetter[] = [];
  let groupExists = false;
  /** seq of the next entry the group has not delivered yet. */
  let cursor = 0;
  let lastMs = 0;
  let lastIdSeq = 0;
  let closed = false;
  let lease: { token: number; consumer: string; until: number } | null = null;
  let lastToken = 0;
  /** Blocked readers, woken on append and on close. */
  const waiters = new Set<() => void>();

  function nextId(): string {
    const now = Date.now();
    // Like XADD: a clock that stands still or steps back keeps the ids increasing.
    if (now > lastMs) {
      lastMs = now;
      lastIdSeq = 0;
    } else {
      lastIdSeq++;
    }
    return `${lastMs}-${lastIdSeq}`;
  }

  function trim(): void {
    while (log.length - head > maxLen) byId.delete(log[head++]!.id);
    if (head > COMPACT_AFTER && head * 2 > log.length) {
      log.splice(0, head);
      head = 0;
    }
  }

  const indexOf = (seq: number) => seq - (log.length > 0 ? log[0]!.seq : nextSeq);
  const copy = (s: Stored, deliveries: number): StreamEntry => ({ id: s.id, fields: { ...s.fields }, deliveries });

  const holder = () => (lease !== null && lease.until > Date.now() ? lease : null);
  function check(l: Lease): void {
    const h = holder();
    if (!h || h.token !== l.token || h.consumer !== l.consumer) throw new LeaseLostError(l);
  }

  function takeNew(consumer: string, count: number): StreamEntry[] {
    const out: StreamEntry[] = [];
    // Entries trimmed before delivery are skipped, as XREADGROUP does.
    let i = Math.max(indexOf(cursor), head);
    for (; i < log.length && out.length < count; i++) {
      const s = log[i]!;
      pending.set(s.id, { consumer, deliveries: 1 });
      out.push(copy(s, 1));
    }
    if (out.length > 0) cursor = log[i - 1]!.seq + 1;
    return out;
  }

  /** Takes over every entry pending on a consumer other than `consumer` (counting a delivery). */
  function takeOthers(consumer: string): StreamEntry[] {
    const out: StreamEntry[] = [];
    for (const [id, p] of pending) {
      if (p.consumer === consumer) continue;
      const stored = byId.get(id);
      if (!stored) {
        pending.delete(id);
        continue;
      }
      p.consumer = consumer;
      p.deliveries++;
      out.push(copy(stored, p.deliveries));
    }
    return out;
  }

  /** Resolves after an append or close, or after ms, whichever comes first. */
  function wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      waiters.add(wake);
    });
  }

  function ackNow(ids: string[]): void {
    for (const id of ids) pending.delete(id);
  }

  return {
    key,
    deadLetterKey: `${key}:dead`,

    async ensureGroup() {
      groupExists = true;
    },

    async append(entries) {
      for (const fields of entries) {
        if (Object.keys(fields).length === 0) throw new Error("a stream entry needs at least one field");
      }
      const ids = entries.map((fields) => {
        const stored: Stored = { seq: nextSeq++, id: nextId(), fields: { ...fields } };
        log.push(stored);
        byId.set(stored.id, stored);
        return stored.id;
      });
      trim();
      if (ids.length > 0) for (const wake of [...waiters]) wake();
      return ids;
    },

    async acquireLease(consumer, ttlMs) {
      if (holder()) return null;
      lease = { token: ++lastToken, consumer, until: Date.now() + ttlMs };
      return { consumer, token: lease.token };
    },

    async renewLease(l, ttlMs) {
      const h = holder();
      if (!h || h.token !== l.token) return false;
      h.until = Date.now() + ttlMs;
      return true;
    },

    async releaseLease(l) {
      if (holder()?.token === l.token) lease = null;
    },

    async leaseHolder() {
      const h = holder();
      return h ? `${h.token} ${h.consumer}` : null;
    },

    /** As the Redis stream: new entries, merged in stream order with any pending on other consumers. */
    async readNew(l, count, blockMs) {
      check(l);
      consumerNames.add(l.consumer);
      if (!groupExists) {
        // Same as the Redis stream after NOGROUP: recreate, deliver from the next call on.
        groupExists = true;
        return [];
      }
      const deadline = Date.now() + Math.max(0, blockMs);
      for (;;) {
        const others = takeOthers(l.consumer);
        const out = takeNew(l.consumer, count);
        const left = deadline - Date.now();
        if (others.length > 0) return [...others, ...out].sort((a, b) => compareEntryIds(a.id, b.id));
        if (out.length > 0 || left <= 0 || closed) return out;
        await wait(left);
        check(l);
      }
    },

    async claimPending(l, from, count): Promise<ClaimPage> {
      check(l);
      consumerNames.add(l.consumer);
      const entries: StreamEntry[] = [];
      for (const [id, p] of pending) {
        if (from !== "0-0" && compareEntryIds(id, from) < 0) continue;
        if (entries.length >= count) return { entries, next: id };
        const stored = byId.get(id);
        if (!stored) {
          // Trimmed while pending: nothing left to deliver (Redis 7 drops it from the PEL too).
          pending.delete(id);
          continue;
        }
        p.consumer = l.consumer;
        p.deliveries++;
        entries.push(copy(stored, p.deliveries));
      }
      return { entries, next: "0-0" };
    },

    async removeIdleConsumers(l) {
      check(l);
      const busy = new Set([...pending.values()].map((p) => p.consumer));
      const removed = [...consumerNames].filter((name) => name !== l.consumer && !busy.has(name));
      for (const name of removed) consumerNames.delete(name);
      return removed;
    },

    async ack(ids) {
      ackNow(ids);
    },

    async deadLetter(letters) {
      for (const { entry, reason, detail } of letters) {
        dead.push({ entry: { ...entry, fields: { ...entry.fields } }, reason, detail });
      }
      if (dead.length > maxLen) dead.splice(0, dead.length - maxLen);
      ackNow(letters.map((l) => l.entry.id));
    },

    async pendingCount() {
      return pending.size;
    },

    async lag() {
      if (!groupExists) return null;
      return log.length - Math.max(indexOf(cursor), head);
    },

    async consumers() {
      const counts = new Map([...consumerNames].map((name) => [name, 0]));
      for (const p of pending.values()) counts.set(p.consumer, (counts.get(p.consumer) ?? 0) + 1);
      return [...counts].map(([name, n]) => ({ name, pending: n }));
    },

    deadLetters() {
      return dead.map((d) => ({ ...d, entry: { ...d.entry, fields: { ...d.entry.fields } } }));
    },

    /** Wakes blocked readers (they resolve with what is there, usually []); later reads do not block. */
    async close() {
      closed = true;
      for (const wake of [...waiters]) wake();
    },
  };
}
