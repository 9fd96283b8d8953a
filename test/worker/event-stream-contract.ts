import { afterEach, describe, expect, it } from "vitest";
import type { EventStream } from "../../src/stream/event-stream.js";
import { waitFor } from "../support/app.js";
import type { StreamFactory, StreamFixture } from "./stream-fixtures.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const events = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ product_id: "chess", game_id: `g${from + i}`, type: "heartbeat" }));
const idParts = (id: string) => id.split("-").map(Number) as [number, number];
const idLess = (a: string, b: string) => {
  const [am, as] = idParts(a);
  const [bm, bs] = idParts(b);
  return am < bm || (am === bm && as < bs);
};

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

    it("appends with increasing Redis-style ids and delivers each entry once, fields intact", async () => {
      const s = await open();
      const ids = await s.append(events(3));
      expect(ids).toHaveLength(3);
      for (const id of ids) expect(id).toMatch(/^\d+-\d+$/);
      expect(idLess(ids[0]!, ids[1]!) && idLess(ids[1]!, ids[2]!)).toBe(true);
      const got = await s.readNew("a", 10, 0);
      expect(got).toEqual(events(3).map((fields, i) => ({ id: ids[i], fields, deliveries: 1 })));
      expect(await s.readNew("b", 10, 0)).toEqual([]);
      expect(s.deadLetterKey).toBe(`${s.key}:dead`);
    });

    it("delivers entries appended before the group existed; ensureGroup is idempotent", async () => {
      fx = await factory()();
      const s = fx.stream;
      const ids = await s.append(events(2));
      await s.ensureGroup();
      await s.ensureGroup();
      expect((await s.readNew("a", 10, 0)).map((e) => e.id)).toEqual(ids);
    });

    it("rejects an entry without fields", async () => {
      const s = await open();
      await expect(s.append([{}])).rejects.toThrow();
    });

    it("readNew honours count; entries stay pending until acked", async () => {
      const s = await open();
      const ids = await s.append(events(5));
      expect((await s.readNew("a", 2, 0)).map((e) => e.id)).toEqual(ids.slice(0, 2));
      expect((await s.readNew("b", 10, 0)).map((e) => e.id)).toEqual(ids.slice(2));
      expect(await s.pendingCount()).toBe(5);
      await s.ack(ids.slice(0, 3));
      expect(await s.pendingCount()).toBe(2);
      await s.ack([]);
      await s.ack(ids.slice(0, 3)); // already acked: nothing changes
      expect(await s.pendingCount()).toBe(2);
    });

    it("claimIdle takes over only idle entries, counting deliveries", async () => {
      const s = await open();
      const ids = await s.append(events(3));
      await s.readNew("a", 10, 0);
      expect(await s.claimIdle("b", 60_000, 10)).toEqual([]);
      let claimed: Awaited<ReturnType<EventStream["claimIdle"]>> = [];
      await waitFor(async () => (claimed = await s.claimIdle("b", 50, 10)).length > 0, "idle entries");
      expect(claimed).toEqual(events(3).map((fields, i) => ({ id: ids[i], fields, deliveries: 2 })));
      // Claiming reset their idle time: nothing to take right away.
      expect(await s.claimIdle("a", 50, 10)).toEqual([]);
      await waitFor(async () => (claimed = await s.claimIdle("a", 50, 10)).length > 0, "idle again");
      expect(claimed.map((e) => e.deliveries)).toEqual([3, 3, 3]);
      expect(await s.pendingCount()).toBe(3);
      await s.ack(ids);
      expect(await s.pendingCount()).toBe(0);
      expect(await s.claimIdle("b", 0, 10)).toEqual([]);
    });

    it("claimIdle honours count, oldest first", async () => {
      const s = await open();
      const ids = await s.append(events(5));
      await s.readNew("a", 10, 0);
      const claimed = await s.claimIdle("b", 0, 2);
      expect(claimed.map((e) => e.id)).toEqual(ids.slice(0, 2));
    });

    it("claimIdle drops entries trimmed away while pending", async () => {
      const s = await open({ maxLen: 10 });
      const early = await s.append(events(5));
      await s.readNew("a", 10, 0);
      for (let i = 0; i < 3; i++) await s.append(events(100, 5 + i * 100));
      const claimed = await s.claimIdle("b", 0, 100);
      expect(claimed.filter((e) => early.includes(e.id))).toEqual([]);
      expect(await s.pendingCount()).toBe(0);
    });

    it("dead letters keep the entry, its fields, deliveries and reason, and are acked", async () => {
      const s = await open();
      const ids = await s.append(events(3));
      const [first, , third] = await s.readNew("a", 10, 0);
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
      const left = await s.readNew("a", 2_000, 0);
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
      await s.readNew("a", 2, 0);
      expect(await s.lag()).toBe(3);
      await s.readNew("a", 10, 0);
      expect(await s.lag()).toBe(0);
    });

    it("a blocked readNew returns as soon as an entry is appended", async () => {
      const s = await open();
      const started = Date.now();
      const reading = s.readNew("a", 10, 3_000);
      await sleep(50);
      const [id] = await s.append(events(1));
      const got = await reading;
      expect(got.map((e) => e.id)).toEqual([id]);
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it("a blocked readNew gives up with [] after blockMs", async () => {
      const s = await open();
      const started = Date.now();
      expect(await s.readNew("a", 10, 150)).toEqual([]);
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
