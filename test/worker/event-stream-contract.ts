import { afterEach, describe, expect, it } from "vitest";
import { compareEntryIds } from "../../src/domain/entry-ids.js";
import { type EventStream, type Lease, LeaseLostError } from "../../src/stream/event-stream.js";
import { waitFor } from "../support/app.js";
import type { StreamFactory, StreamFixture } from "./stream-fixtures.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const events = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ product_id: "chess", game_id: `g${from + i}`, type: "heartbeat" }));
const LONG = 60_000;

/** The behaviour both EventStream implementations must show; `factory` gives a fresh stream per test. */
export function describeEventStreamContract(name: string, factory: () => StreamFactory): void {
  describe(`EventStream contract: ${name}`, () => {
    let fx: StreamFixture | undefined;
    afterEach(async () => {
      await fx?.cleanup();
      fx = undefined;
    });
    async function open(opts?: { maxLen?: number }): Promise<EventStream> {
      fx = await factory()(opts);
      await fx.stream.ensureGroup();
      return fx.stream;
    }
    async function holder(s: EventStream, consumer = "a", ttlMs = LONG): Promise<Lease> {
      const lease = await s.acquireLease(consumer, ttlMs);
      expect(lease, `${consumer} takes the lease`).not.toBeNull();
      return lease!;
    }
    const lostOn = async (p: Promise<unknown>) => expect(await p.then(() => null, (e: unknown) => e)).toBeInstanceOf(LeaseLostError);

    it("appends with increasing Redis-style ids and delivers each entry once, fields intact", async () => {
      const s = await open();
      const ids = await s.append(events(3));
      expect(ids).toHaveLength(3);
      for (const id of ids) expect(id).toMatch(/^\d+-\d+$/);
      expect(compareEntryIds(ids[0]!, ids[1]!) < 0 && compareEntryIds(ids[1]!, ids[2]!) < 0).toBe(true);
      const lease = await holder(s);
      const got = await s.readNew(lease, 10, 0);
      expect(got).toEqual(events(3).map((fields, i) => ({ id: ids[i], fields, deliveries: 1 })));
      expect(await s.readNew(lease, 10, 0)).toEqual([]);
      expect(s.deadLetterKey).toBe(`${s.key}:dead`);
    });

    it("delivers entries appended before the group existed; ensureGroup is idempotent", async () => {
      fx = await factory()();
      const s = fx.stream;
      const ids = await s.append(events(2));
      await s.ensureGroup();
      await s.ensureGroup();
      expect((await s.readNew(await holder(s), 10, 0)).map((e) => e.id)).toEqual(ids);
    });

    it("rejects an entry without fields", async () => {
      const s = await open();
      await expect(s.append([{}])).rejects.toThrow();
    });

    it("has one lease holder at a time, with a larger fencing token for every new holder", async () => {
      const s = await open();
      const a = await holder(s, "a", 150);
      expect(await s.acquireLease("b", LONG)).toBeNull();
      // Not even under the holder's own name: that may be an earlier process still running.
      expect(await s.acquireLease("a", LONG)).toBeNull();
      expect(await s.leaseHolder()).toBe(`${a.token} a`);
      expect(await s.renewLease(a, 150)).toBe(true);
      await waitFor(async () => (await s.leaseHolder()) === null, "the lease to expire");
      const b = await holder(s, "b");
      expect(b.token).toBeGreaterThan(a.token);
      expect(await s.renewLease(a, LONG)).toBe(false);
      await s.releaseLease(a); // not a's any more: nothing happens
      expect(await s.leaseHolder()).toBe(`${b.token} b`);
      await s.releaseLease(b);
      const c = await holder(s, "c");
      expect(c.token).toBeGreaterThan(b.token);
    });

    it("fences a consumer that lost its lease: whatever it still reads reaches the holder, in stream order", async () => {
      const s = await open();
      await s.append(events(3));
      const a = await holder(s, "a", 100);
      expect(await s.readNew(a, 1, 0)).toHaveLength(1);
      await waitFor(async () => (await s.leaseHolder()) === null, "the lease to expire");
      const b = await holder(s, "b");
      // a does not know it lost the lease: its calls are refused (a read may still move entries
      // to a's pending list first — the holder takes those over).
      await lostOn(s.readNew(a, 10, 0));
      await lostOn(s.claimPending(a, "0-0", 10));
      await lostOn(s.removeIdleConsumers(a));
      const taken = await s.claimPending(b, "0-0", 10);
      expect(taken.entries[0]).toMatchObject({ fields: { game_id: "g0" }, deliveries: 2 });
      const got = [...taken.entries, ...(await s.readNew(b, 10, 0))].map((e) => e.fields.game_id);
      expect(got).toEqual(["g0", "g1", "g2"]);
    });

    it("merges what a fenced-off consumer read after the takeover into the holder's next batch, in stream order", async () => {
      const s = await open();
      const ids = await s.append(events(3));
      const a = await holder(s, "a", 100);
      await waitFor(async () => (await s.leaseHolder()) === null, "the lease to expire");
      const b = await holder(s, "b");
      expect(await s.claimPending(b, "0-0", 10)).toEqual({ entries: [], next: "0-0" });
      await lostOn(s.readNew(a, 2, 0)); // a paused worker wakes up and reads before it learns
      ids.push(...(await s.append(events(2, 3))));
      const got = await s.readNew(b, 10, 0);
      expect(got.map((e) => e.id)).toEqual(ids);
      expect(await s.readNew(b, 10, 0)).toEqual([]);
      await s.ack(ids);
      expect(await s.pendingCount()).toBe(0);
    });

    it("readNew honours count; entries stay pending until acked", async () => {
      const s = await open();
      const ids = await s.append(events(5));
      const lease = await holder(s);
      expect((await s.readNew(lease, 2, 0)).map((e) => e.id)).toEqual(ids.slice(0, 2));
      expect((await s.readNew(lease, 10, 0)).map((e) => e.id)).toEqual(ids.slice(2));
      expect(await s.pendingCount()).toBe(5);
      await s.ack(ids.slice(0, 3));
      expect(await s.pendingCount()).toBe(2);
      await s.ack([]);
      await s.ack(ids.slice(0, 3)); // already acked: nothing changes
      expect(await s.pendingCount()).toBe(2);
    });

    it("claimPending takes over every consumer's pending entries, oldest first, page by page, counting deliveries", async () => {
      const s = await open();
      const ids = await s.append(events(7));
      const a = await holder(s, "a", 100);
      await s.readNew(a, 7, 0);
      await s.ack([ids[3]!]);
      await waitFor(async () => (await s.leaseHolder()) === null, "the lease to expire");
      const b = await holder(s, "b");
      const seen: [string, number][] = [];
      let cursor = "0-0";
      let pages = 0;
      do {
        const page = await s.claimPending(b, cursor, 2);
        seen.push(...page.entries.map((e): [string, number] => [e.id, e.deliveries]));
        cursor = page.next;
        pages++;
      } while (cursor !== "0-0" && pages < 10);
      expect(seen).toEqual(ids.filter((_, i) => i !== 3).map((id) => [id, 2]));
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(await s.consumers()).toEqual(expect.arrayContaining([{ name: "a", pending: 0 }, { name: "b", pending: 6 }]));
      // Taking over again (a second crash) counts another delivery.
      expect((await s.claimPending(b, "0-0", 10)).entries.map((e) => e.deliveries)).toEqual(Array(6).fill(3));
      await s.ack(ids);
      expect(await s.claimPending(b, "0-0", 10)).toEqual({ entries: [], next: "0-0" });
    });

    it("claimPending drops entries trimmed away while pending", async () => {
      const s = await open({ maxLen: 10 });
      const early = await s.append(events(5));
      const lease = await holder(s);
      await s.readNew(lease, 10, 0);
      for (let i = 0; i < 3; i++) await s.append(events(100, 5 + i * 100));
      const claimed = await s.claimPending(lease, "0-0", 100);
      expect(claimed.entries.filter((e) => early.includes(e.id))).toEqual([]);
      expect(await s.pendingCount()).toBe(0);
    });

    it("removes consumers that left nothing pending, never the holder nor one with entries pending", async () => {
      const s = await open();
      const ids = await s.append(events(4));
      for (const name of ["dead1", "dead2", "busy"]) {
        const l = await holder(s, name, 60);
        const got = await s.readNew(l, 1, 0);
        if (name !== "busy") await s.ack(got.map((e) => e.id));
        await s.releaseLease(l);
      }
      const me = await holder(s, "me");
      expect((await s.removeIdleConsumers(me)).sort()).toEqual(["dead1", "dead2"]);
      expect((await s.consumers()).map((c) => c.name)).toEqual(["busy"]);
      // Reading takes over what busy still holds (merged in order), and busy goes next time.
      expect((await s.readNew(me, 10, 0)).map((e) => e.id)).toEqual(ids.slice(2));
      await s.ack(ids);
      expect(await s.removeIdleConsumers(me)).toEqual(["busy"]);
      expect((await s.consumers()).map((c) => c.name)).toEqual(["me"]);
    });

    it("dead letters keep the entry, its fields, deliveries and reason, and are acked", async () => {
      const s = await open();
      const ids = await s.append(events(3));
      const [first, , third] = await s.readNew(await holder(s), 10, 0);
      await s.deadLetter([
        { entry: first!, reason: "malformed", detail: "missing field game_id" },
        { entry: third!, reason: "unknown_game", detail: "no game g2" },
      ]);
      await s.deadLetter([]);
      expect(await s.pendingCount()).toBe(1);
      expect(await fx!.deadLetters()).toEqual([
        { entry: { id: ids[0], fields: events(1)[0], deliveries: 1 }, reason: "malformed", detail: "missing field game_id" },
        { entry: { id: ids[2], fields: events(1, 2)[0], deliveries: 1 }, reason: "unknown_game", detail: "no game g2" },
      ]);
    });

    it("trims the stream to about maxLen, dropping the oldest entries", async () => {
      const s = await open({ maxLen: 10 });
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) ids.push(...(await s.append(events(100, i * 100))));
      const left = await s.readNew(await holder(s), 2_000, 0);
      expect(left.length).toBeGreaterThanOrEqual(10);
      expect(left.length).toBeLessThan(500);
      expect(left[left.length - 1]!.id).toBe(ids[ids.length - 1]);
      expect(left[0]!.id).not.toBe(ids[0]);
    });

    it("reports lag as the entries not yet delivered to the group", async () => {
      const s = await open();
      expect(await s.lag()).toBe(0);
      await s.append(events(5));
      expect(await s.lag()).toBe(5);
      const lease = await holder(s);
      await s.readNew(lease, 2, 0);
      expect(await s.lag()).toBe(3);
      await s.readNew(lease, 10, 0);
      expect(await s.lag()).toBe(0);
    });

    it("a blocked readNew returns as soon as an entry is appended", async () => {
      const s = await open();
      const lease = await holder(s);
      const started = Date.now();
      const reading = s.readNew(lease, 10, 3_000);
      await sleep(50);
      const [id] = await s.append(events(1));
      const got = await reading;
      expect(got.map((e) => e.id)).toEqual([id]);
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it("a blocked readNew gives up with [] after blockMs", async () => {
      const s = await open();
      const lease = await holder(s);
      const started = Date.now();
      expect(await s.readNew(lease, 10, 150)).toEqual([]);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(100);
      expect(elapsed).toBeLessThan(2_000);
    });

    it("close is idempotent", async () => {
      const s = await open();
      await s.close();
      await s.close();
    });
  });
}
