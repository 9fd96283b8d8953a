import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../src/logger.js";
import type { EventStream, StreamEntry } from "../../src/stream/event-stream.js";
import {
  type BatchStats,
  createStreamConsumer,
  type EntryResult,
  type StreamConsumer,
  type StreamConsumerOptions,
} from "../../src/worker/stream-consumer.js";
import { waitFor } from "../support/app.js";
import type { StreamFactory, StreamFixture } from "./stream-fixtures.js";

const logger = createLogger("silent");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const events = (n: number, extra: Record<string, string> = {}) =>
  Array.from({ length: n }, (_, i) => ({ product_id: "chess", game_id: `g${i}`, type: "heartbeat", n: String(i), ...extra }));
const allDone = async (entries: StreamEntry[]): Promise<EntryResult[]> => entries.map(() => ({ status: "done" }));

/** The stream with its ack calls recorded, to check that acks go out in batches. */
function countingAcks(stream: EventStream): { stream: EventStream; acks: string[][] } {
  const acks: string[][] = [];
  return { acks, stream: { ...stream, ack: async (ids) => (acks.push(ids), stream.ack(ids)) } };
}

/** Consumer behaviour, run against each EventStream implementation. */
export function describeStreamConsumer(name: string, factory: () => StreamFactory): void {
  describe(`stream consumer on ${name}`, () => {
    let fx: StreamFixture;
    const consumers: StreamConsumer[] = [];
    afterEach(async () => {
      await Promise.all(consumers.splice(0).map((c) => c.stop()));
      await fx?.cleanup();
    });
    async function setup(): Promise<EventStream> {
      fx = await factory()();
      await fx.stream.ensureGroup();
      return fx.stream;
    }
    function consumerOn(stream: EventStream, opts: Partial<StreamConsumerOptions> & Pick<StreamConsumerOptions, "handle">) {
      const c = createStreamConsumer({ stream, consumer: "c1", logger, blockMs: 50, leaseMs: 300, ...opts });
      consumers.push(c);
      return c;
    }
    /** A holder that read `n` entries and died without acking them (its lease runs out after ttlMs). */
    async function deadHolder(s: EventStream, n: number, ttlMs = 100) {
      const lease = (await s.acquireLease("dead", ttlMs))!;
      expect(lease).not.toBeNull();
      return s.readNew(lease, n, 0);
    }

    it("takes the lease, handles every entry once and acks each batch in one call", async () => {
      const s = await setup();
      const ids = await s.append(events(250));
      const { stream, acks } = countingAcks(s);
      const seen: string[] = [];
      const stats: BatchStats[] = [];
      const c = consumerOn(stream, {
        batchSize: 100,
        handle: async (entries) => (seen.push(...entries.map((e) => e.id)), allDone(entries)),
        onBatch: (st) => stats.push(st),
      });
      while ((await c.runOnce()) > 0 || seen.length < 250);
      expect(c.lease).not.toBeNull();
      expect(seen).toEqual(ids);
      expect(acks.filter((a) => a.length > 0).map((a) => a.length)).toEqual([100, 100, 50]);
      expect(stats.map((st) => [st.size, st.done, st.dead, st.retried, st.reclaimed])).toEqual([
        [100, 100, 0, 0, 0],
        [100, 100, 0, 0, 0],
        [50, 50, 0, 0, 0],
      ]);
      expect(await s.pendingCount()).toBe(0);
    });

    it("dead-letters 'dead' results and retries 'retry' ones in place, before anything newer", async () => {
      const s = await setup();
      const ids = await s.append([...events(2, { want: "done" }), ...events(2, { want: "dead" }), ...events(1, { want: "retry" })]);
      const stats: BatchStats[] = [];
      const order: string[] = [];
      let failures = 2;
      const c = consumerOn(s, {
        batchSize: 5,
        onBatch: (st) => stats.push(st),
        handle: async (entries) =>
          entries.map((e): EntryResult => {
            order.push(e.id);
            if (e.fields.want === "dead") return { status: "dead", reason: "malformed", detail: `bad ${e.id}` };
            if (e.fields.want === "retry" && failures-- > 0) return { status: "retry", error: new Error("busy"), transient: true };
            return { status: "done" };
          }),
      });
      await s.append(events(1, { want: "later" }));
      while ((await c.runOnce()) > 0 || stats.length < 2);
      expect(stats[0]).toMatchObject({ size: 5, done: 3, dead: 2, retried: 0 });
      // The failing entry was tried three times, and only then did the consumer read on.
      expect(order).toEqual([...ids, ids[4], ids[4], expect.any(String)]);
      expect(await s.pendingCount()).toBe(0);
      expect((await fx.deadLetters()).map((d) => [d.entry.id, d.reason, d.detail])).toEqual([
        [ids[2], "malformed", `bad ${ids[2]}`],
        [ids[3], "malformed", `bad ${ids[3]}`],
      ]);
    });

    it("applies nothing newer than an entry it had to leave pending: stopped mid-retry, the batch read ahead is left too", async () => {
      const s = await setup();
      const ids = await s.append(events(4));
      const done: string[] = [];
      const tried: string[] = [];
      const c = consumerOn(s, {
        batchSize: 2,
        handle: async (entries) =>
          entries.map((e): EntryResult => {
            tried.push(e.id);
            if (e.id === ids[0]) return { status: "retry", error: new Error("store away"), transient: true };
            done.push(e.id);
            return { status: "done" };
          }),
      });
      c.start();
      await waitFor(() => tried.filter((id) => id === ids[0]).length >= 2, "the retries");
      await c.stop();
      expect(done).toEqual([ids[1]]);
      // The next holder takes the rest over in stream order.
      const seen: string[] = [];
      const d = consumerOn(s, { consumer: "c2", handle: async (e) => (seen.push(...e.map((x) => x.id)), allDone(e)) });
      d.start();
      await waitFor(async () => seen.length >= 3 && (await s.pendingCount()) === 0, "the takeover");
      expect(seen).toEqual([ids[0], ids[2], ids[3]]);
    });

    it("takes everything over again when a read's answer was lost, before reading on", async () => {
      const s = await setup();
      const ids = await s.append(events(6));
      let lose = 1;
      // The read happened (its entries are ours, pending) but the answer never came back.
      const lossy: EventStream = {
        ...s,
        readNew: async (...args) => {
          const got = await s.readNew(...args);
          if (got.length > 0 && lose-- > 0) throw new Error("connection reset before the reply");
          return got;
        },
      };
      const seen: string[] = [];
      const c = consumerOn(lossy, { batchSize: 2, handle: async (e) => (seen.push(...e.map((x) => x.id)), allDone(e)) });
      c.start();
      await waitFor(async () => seen.length >= 6 && (await s.pendingCount()) === 0, "the stream to drain");
      expect(seen).toEqual(ids);
    });

    it("gives up on an entry that keeps failing (not transiently) after maxDeliveries attempts", async () => {
      const s = await setup();
      const [poison, fine] = await s.append(events(2));
      const tries = new Map<string, number>();
      const c = consumerOn(s, {
        maxDeliveries: 3,
        handle: async (entries) =>
          entries.map((e): EntryResult => {
            tries.set(e.id, (tries.get(e.id) ?? 0) + 1);
            return e.id === poison ? { status: "retry", error: new Error("bug") } : { status: "done" };
          }),
      });
      while ((await c.runOnce()) > 0 || tries.size < 2 || (await s.pendingCount()) > 0);
      expect([tries.get(poison!), tries.get(fine!)]).toEqual([3, 1]);
      expect((await fx.deadLetters()).map((d) => [d.entry.id, d.reason])).toEqual([[poison, "max_deliveries"]]);
    });

    it("takes over what a dead holder left pending first, in order, then reads on; dead-letters entries over maxDeliveries unhandled", async () => {
      const s = await setup();
      const ids = await s.append(events(8));
      const left = await deadHolder(s, 5);
      expect(left).toHaveLength(5);
      const seen: StreamEntry[] = [];
      const stats: BatchStats[] = [];
      const c = consumerOn(s, { handle: async (entries) => (seen.push(...entries), allDone(entries)), onBatch: (st) => stats.push(st) });
      c.start();
      await waitFor(async () => seen.length === 8 && (await s.pendingCount()) === 0, "the takeover");
      expect(seen.map((e) => [e.id, e.deliveries])).toEqual(ids.map((id, i) => [id, i < 5 ? 2 : 1]));
      expect(stats[0]).toMatchObject({ size: 5, reclaimed: 5 });
      // The dead holder is gone from the group once nothing of it is pending.
      await waitFor(async () => !(await s.consumers()).some((x) => x.name === "dead"), "the dead consumer to be removed");
      await c.stop();

      // An entry that killed its worker again and again is dead-lettered without being handled.
      const [poison] = await s.append(events(1));
      for (let i = 0; i < 3; i++) {
        const l = (await s.acquireLease("crashy", 50))!;
        if (i === 0) await s.readNew(l, 1, 0);
        else await s.claimPending(l, "0-0", 1);
        await s.releaseLease(l);
      }
      const handle = vi.fn(allDone);
      const d = consumerOn(s, { consumer: "c2", maxDeliveries: 3, handle });
      while ((await d.runOnce()) > 0 || (await s.pendingCount()) > 0);
      expect(handle).not.toHaveBeenCalled();
      expect((await fx.deadLetters()).map((x) => [x.entry.id, x.reason, x.entry.deliveries])).toEqual([[poison, "max_deliveries", 4]]);
    });

    it("keeps one active consumer among several: the others stand by, and take over in order when it stops", async () => {
      const s = await setup();
      await s.append(events(300));
      const handled: { by: string; n: number }[] = [];
      const started = ["c1", "c2", "c3"].map((name) => {
        const c = consumerOn(s, {
          consumer: name,
          batchSize: 25,
          handle: async (entries) => {
            await sleep(2);
            handled.push(...entries.map((e) => ({ by: name, n: Number(e.fields.n) })));
            return allDone(entries);
          },
        });
        c.start();
        return c;
      });
      await waitFor(() => handled.length >= 100, "the first batches");
      const active = started.filter((c) => c.lease !== null);
      expect(active).toHaveLength(1);
      await active[0]!.stop();
      await s.append(events(300).map((e) => ({ ...e, n: String(300 + Number(e.n)) })));
      await waitFor(async () => handled.length >= 600 && (await s.pendingCount()) === 0, "the backlog to drain");
      // Every entry once, in stream order, across the handover.
      expect(handled.map((h) => h.n)).toEqual(Array.from({ length: 600 }, (_, i) => i));
      expect(new Set(handled.map((h) => h.by)).size).toBe(2);
    });

    it("stops reading once its lease is lost, and a standby takes over", async () => {
      const s = await setup();
      await s.append(events(50));
      let renewals = true;
      // Renewals that fail as a partitioned worker's would: the lease runs out.
      const partitioned: EventStream = {
        ...s,
        renewLease: (l, ttl) => (renewals ? s.renewLease(l, ttl) : Promise.resolve(false)),
        acquireLease: (c, ttl) => (renewals ? s.acquireLease(c, ttl) : Promise.resolve(null)),
      };
      const seenA: string[] = [];
      const seenB: string[] = [];
      const a = consumerOn(partitioned, { consumer: "a", batchSize: 10, handle: async (e) => (seenA.push(...e.map((x) => x.id)), allDone(e)) });
      a.start();
      await waitFor(() => seenA.length === 50, "a to drain");
      renewals = false;
      await waitFor(() => a.lease === null, "a to notice the lost lease", 3_000);
      const b = consumerOn(s, { consumer: "b", handle: async (e) => (seenB.push(...e.map((x) => x.id)), allDone(e)) });
      b.start();
      await waitFor(() => b.lease !== null, "b to take the lease", 3_000);
      const later = await s.append(events(5));
      await waitFor(() => seenB.length === 5, "b to read the new entries");
      expect(seenB).toEqual(later);
      expect(seenA).toHaveLength(50);
    });

    it("stop() lets the batch in hand finish, acks it and releases the lease; stop is idempotent", async () => {
      const s = await setup();
      await s.append(events(10));
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const handle = vi.fn(async (entries: StreamEntry[]) => (await gate, allDone(entries)));
      const c = consumerOn(s, { handle, leaseMs: 60_000 });
      c.start();
      expect(c.running).toBe(true);
      await waitFor(() => handle.mock.calls.length === 1, "the handler to start");
      let stopped = false;
      const stopping = c.stop().then(() => (stopped = true));
      await sleep(50);
      expect(stopped).toBe(false);
      release();
      await stopping;
      await c.stop();
      expect(c.running).toBe(false);
      expect(await s.pendingCount()).toBe(0);
      // Released, not left to expire (60 s): another consumer takes over at once.
      expect(await s.leaseHolder()).toBeNull();
      await s.append(events(1));
      await sleep(100);
      expect(handle).toHaveBeenCalledTimes(1);
    });

    it("stop() does not wait out a blocked read", async () => {
      const s = await setup();
      const c = consumerOn(s, { blockMs: 3_000, handle: allDone });
      c.start();
      await waitFor(() => c.lease !== null, "the lease");
      await sleep(50);
      const started = Date.now();
      await c.stop();
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it("retries a batch in place when the handler throws, and keeps running through stream errors", async () => {
      const s = await setup();
      const ids = await s.append(events(3));
      let readFailures = 2;
      const flaky: EventStream = {
        ...s,
        readNew: (...args) => (readFailures-- > 0 ? Promise.reject(new Error("ECONNRESET")) : s.readNew(...args)),
      };
      let handlerFailures = 1;
      const done: string[] = [];
      const c = consumerOn(flaky, {
        handle: async (entries) => {
          if (handlerFailures-- > 0) throw new Error("transient");
          done.push(...entries.map((e) => e.id));
          return allDone(entries);
        },
      });
      c.start();
      await waitFor(async () => done.length === 3 && (await s.pendingCount()) === 0, "recovery", 10_000);
      expect(done).toEqual(ids);
      expect(c.running).toBe(true);
    });
  });
}
