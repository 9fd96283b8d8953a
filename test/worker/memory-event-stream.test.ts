import { describe, expect, it } from "vitest";
import type { Lease } from "../../src/stream/event-stream.js";
import { createMemoryEventStream } from "../../src/stream/memory-event-stream.js";

const lease = async (s: { acquireLease(c: string, ttl: number): Promise<Lease | null> }, consumer = "a") => (await s.acquireLease(consumer, 60_000))!;

const event = (i: number) => ({ product_id: "chess", game_id: `g${i}`, type: "heartbeat" });

describe("memory event stream", () => {
  it("keeps ids strictly increasing within one millisecond", async () => {
    const s = createMemoryEventStream();
    const ids = await s.append(Array.from({ length: 500 }, (_, i) => event(i)));
    const parsed = ids.map((id) => id.split("-").map(Number) as [number, number]);
    for (let i = 1; i < parsed.length; i++) {
      const [[pm, ps], [m, q]] = [parsed[i - 1]!, parsed[i]!];
      expect(m > pm || (m === pm && q > ps)).toBe(true);
    }
  });

  it("uses game_event_stream and <key>:dead by default", () => {
    const s = createMemoryEventStream();
    expect([s.key, s.deadLetterKey]).toEqual(["game_event_stream", "game_event_stream:dead"]);
  });

  it("hands out copies, so a handler that mutates an entry cannot change what is stored", async () => {
    const s = createMemoryEventStream();
    await s.ensureGroup();
    await s.append([event(1)]);
    const l = await lease(s);
    const [entry] = await s.readNew(l, 1, 0);
    entry!.fields.game_id = "changed";
    await s.deadLetter([{ entry: entry!, reason: "malformed", detail: "x" }]);
    s.deadLetters()[0]!.entry.fields.game_id = "changed again";
    expect(s.deadLetters()[0]!.entry.fields.game_id).toBe("changed");
    const { entries } = await s.claimPending(l, "0-0", 1);
    expect(entries).toEqual([]); // dead-lettered means acked
  });

  it("caps the dead-letter list at maxLen, dropping the oldest", async () => {
    const s = createMemoryEventStream({ maxLen: 3 });
    await s.ensureGroup();
    await s.append([1, 2, 3, 4, 5].map(event));
    const entries = await s.readNew(await lease(s), 10, 0);
    await s.deadLetter(entries.map((entry) => ({ entry, reason: "malformed", detail: "" })));
    expect(s.deadLetters().map((d) => d.entry.fields.game_id)).toEqual(["g3", "g4", "g5"]);
  });

  it("wakes a blocked reader on close and no longer blocks afterwards", async () => {
    const s = createMemoryEventStream();
    await s.ensureGroup();
    const l = await lease(s);
    const started = Date.now();
    const reading = s.readNew(l, 1, 5_000);
    await s.close();
    expect(await reading).toEqual([]);
    expect(await s.readNew(l, 1, 5_000)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("wakes every blocked read on append; one left without entries keeps waiting", async () => {
    const s = createMemoryEventStream();
    await s.ensureGroup();
    const l = await lease(s);
    const a = s.readNew(l, 10, 300);
    const b = s.readNew(l, 10, 300);
    await s.append([event(1)]);
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.length + rb.length).toBe(1);
  });

  it("stays consistent across trimming and compaction of a long run", async () => {
    const s = createMemoryEventStream({ maxLen: 50 });
    await s.ensureGroup();
    const l = await lease(s);
    let delivered = 0;
    for (let i = 0; i < 100; i++) {
      await s.append(Array.from({ length: 30 }, (_, j) => event(i * 30 + j)));
      const got = await s.readNew(l, 20, 0);
      delivered += got.length;
      await s.ack(got.map((e) => e.id));
    }
    const rest = await s.readNew(l, 100, 0);
    expect(rest.length).toBeLessThanOrEqual(50);
    expect(rest[rest.length - 1]!.fields.game_id).toBe("g2999");
    expect(delivered + rest.length).toBeLessThan(3_000);
    expect(await s.lag()).toBe(0);
    expect(await s.pendingCount()).toBe(rest.length);
  });
});
