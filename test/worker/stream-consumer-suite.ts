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
  Array.from({ length: n }, (_, i) => ({ product_id: "chess", game_id: `g${i}`, type: "heartbeat", ...extra }));
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
      const c = createStreamConsumer({ stream, consumer: "c1", logger, blockMs: 50, ...opts });
      consumers.push(c);
      return c;
    }

    it("handles every entry once and acks each batch in one call", async () => {
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
      while ((await c.runOnce()) > 0);
      expect(seen).toEqual(ids);
      expect(acks.map((a) => a.length)).toEqual([100, 100, 50]);
      expect(stats.map((st) => [st.size, st.done, st.dead, st.retried, st.reclaimed])).toEqual([
        [100, 100, 0, 0, 0],
        [100, 100, 0, 0, 0],
        [50, 50, 0, 0, 0],
      ]);
      expect(await s.pendingCount()).toBe(0);
    });

    it("dead-letters 'dead' results, leaves 'retry' ones pending and handles them again once idle", async () => {
      const s = await setup();
      const ids = await s.append([...events(2, { want: "done" }), ...events(2, { want: "dead" }), ...events(1, { want: "retry" })]);
      const stats: BatchStats[] = [];
      const deliveriesSeen: number[] = [];
      const c = consumerOn(s, {
        claimIdleMs: 50,
        claimEveryMs: 0,
        onBatch: (st) => stats.push(st),
        handle: async (entries) =>
          entries.map((e): EntryResult => {
            deliveriesSeen.push(e.deliveries);
            if (e.fields.want === "dead") return { status: "dead", reason: "malformed", detail: `bad ${e.id}` };
            if (e.fields.want === "retry" && e.deliveries === 1) return { status: "retry", error: new Error("busy") };
            return { status: "done" };
          }),
      });
      await c.runOnce();
      expect(stats[0]).toMatchObject({ size: 5, done: 2, dead: 2, retried: 1, reclaimed: 0 });
      expect(await s.pendingCount()).toBe(1);
      expect((await fx.deadLetters()).map((d) => [d.entry.id, d.reason, d.detail])).toEqual([
        [ids[2], "malformed", `bad ${ids[2]}`],
        [ids[3], "malformed", `bad ${ids[3]}`],
      ]);
      await waitFor(async () => (await c.runOnce(), (await s.pendingCount()) === 0), "the retried entry");
      expect(stats[stats.length - 1]).toMatchObject({ size: 1, done: 1, reclaimed: 1 });
      expect(deliveriesSeen).toEqual([1, 1, 1, 1, 1, 2]);
    });

    it("dead-letters entries over maxDeliveries without handing them to the handler", async () => {
      const s = await setup();
      const ids = await s.append(events(2));
      await s.readNew("crashy", 10, 0);
      await s.claimIdle("crashy", 0, 10);
      await s.claimIdle("crashy", 0, 10); // 3 deliveries so far
      const handle = vi.fn(allDone);
      const c = consumerOn(s, { maxDeliveries: 3, claimIdleMs: 0, handle });
      expect(await c.runOnce()).toBe(2);
      expect(handle).not.toHaveBeenCalled();
      expect((await fx.deadLetters()).map((d) => [d.entry.id, d.reason, d.entry.deliveries])).toEqual([
        [ids[0], "max_deliveries", 4],
        [ids[1], "max_deliveries", 4],
      ]);
      expect(await s.pendingCount()).toBe(0);
    });

    it("two consumers on one group split a backlog, no entry handled twice", async () => {
      const s = await setup();
      const ids = await s.append(events(400));
      const handled = new Map<string, string[]>([["c1", []], ["c2", []]]);
      for (const name of ["c1", "c2"]) {
        consumerOn(s, {
          consumer: name,
          batchSize: 25,
          handle: async (entries) => {
            await sleep(2);
            handled.get(name)!.push(...entries.map((e) => e.id));
            return allDone(entries);
          },
        }).start();
      }
      const all = () => [...handled.get("c1")!, ...handled.get("c2")!];
      await waitFor(async () => all().length >= 400 && (await s.pendingCount()) === 0, "the backlog to drain");
      expect([...all()].sort()).toEqual([...ids].sort());
      expect(new Set(all()).size).toBe(400);
      expect(handled.get("c1")!.length).toBeGreaterThan(0);
      expect(handled.get("c2")!.length).toBeGreaterThan(0);
    });

    it("stop() lets the batch in hand finish and acks it, then reads nothing more; stop is idempotent", async () => {
      const s = await setup();
      await s.append(events(10));
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const handle = vi.fn(async (entries: StreamEntry[]) => (await gate, allDone(entries)));
      const c = consumerOn(s, { handle });
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
      await s.append(events(1));
      await sleep(100);
      expect(handle).toHaveBeenCalledTimes(1);
    });

    it("stop() does not wait out a blocked read", async () => {
      const s = await setup();
      const c = consumerOn(s, { blockMs: 3_000, handle: allDone });
      c.start();
      await sleep(50);
      const started = Date.now();
      await c.stop();
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it("a failing handler leaves the whole batch pending for another consumer to reclaim", async () => {
      const s = await setup();
      const ids = await s.append(events(5));
      const failing = consumerOn(s, { consumer: "c1", handle: async () => Promise.reject(new Error("db down")) });
      await expect(failing.runOnce()).rejects.toThrow("db down");
      expect(await s.pendingCount()).toBe(5);
      const seen: StreamEntry[] = [];
      consumerOn(s, {
        consumer: "c2",
        claimIdleMs: 50,
        claimEveryMs: 0,
        handle: async (entries) => (seen.push(...entries), allDone(entries)),
      }).start();
      await waitFor(async () => seen.length === 5 && (await s.pendingCount()) === 0, "the reclaim");
      expect(seen.map((e) => [e.id, e.deliveries])).toEqual(ids.map((id) => [id, 2]));
    });

    it("keeps running through stream and handler errors", async () => {
      const s = await setup();
      await s.append(events(3));
      let readFailures = 2;
      const flaky: EventStream = {
        ...s,
        readNew: (...args) => (readFailures-- > 0 ? Promise.reject(new Error("ECONNRESET")) : s.readNew(...args)),
      };
      let handlerFailures = 1;
      const done: string[] = [];
      const c = consumerOn(flaky, {
        claimIdleMs: 50,
        claimEveryMs: 0,
        handle: async (entries) => {
          if (handlerFailures-- > 0) throw new Error("transient");
          done.push(...entries.map((e) => e.id));
          return allDone(entries);
        },
      });
      c.start();
      await waitFor(async () => done.length === 3 && (await s.pendingCount()) === 0, "recovery", 10_000);
      expect(c.running).toBe(true);
    });
  });
}
