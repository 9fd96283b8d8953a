import { afterEach, describe, expect, it } from "vitest";
import type { EventStream, Lease } from "../../src/stream/event-stream.js";
import { MAX_BLOCK_MS } from "../../src/stream/redis-event-stream.js";
import { keySlot } from "../../src/stream/slot.js";
import { type StreamFixture, useRedisStreams } from "./stream-fixtures.js";

const redis = useRedisStreams();
const event = (i: number) => ({ product_id: "chess", game_id: `g${i}`, type: "gameplay", event_name: "move" });

describe("Redis event stream", () => {
  let fx: StreamFixture | undefined;
  afterEach(async () => {
    await fx?.cleanup();
    fx = undefined;
  });
  async function open(): Promise<{ s: EventStream; lease: Lease }> {
    fx = await redis.factory();
    await fx.stream.ensureGroup();
    return { s: fx.stream, lease: (await fx.stream.acquireLease("a", 60_000))! };
  }
  const clientCount = async () => String(await redis.client().client("LIST")).trim().split("\n").length;

  it("writes dead letters under their original field names plus dead_* fields, so they can be replayed", async () => {
    const { s, lease } = await open();
    await s.append([event(1)]);
    const [entry] = await s.readNew(lease, 1, 0);
    await s.deadLetter([{ entry: entry!, reason: "unknown_game", detail: "no game g1" }]);
    const [[, flat]] = (await redis.client().xrange(s.deadLetterKey, "-", "+")) as [string, string[]][];
    const raw = Object.fromEntries(flat!.flatMap((v, i, a) => (i % 2 ? [] : [[v, a[i + 1]]])));
    expect(raw).toEqual({
      ...event(1),
      dead_reason: "unknown_game",
      dead_detail: "no game g1",
      dead_original_id: entry!.id,
      dead_deliveries: "1",
    });
    // Replaying = XADDing the fields that are not dead_*: a consumer sees the original event.
    const original = Object.entries(raw).filter(([k]) => !k.startsWith("dead_")).flat();
    await redis.client().xadd(s.key, "*", ...(original as string[]));
    expect((await s.readNew(lease, 1, 0))[0]!.fields).toEqual(event(1));
  });

  it("recreates the group when the stream was deleted under it", async () => {
    const { s, lease } = await open();
    await redis.client().del(s.key);
    expect(await s.readNew(lease, 10, 0)).toEqual([]);
    const ids = await s.append([event(1)]);
    expect((await s.readNew(lease, 10, 0)).map((e) => e.id)).toEqual(ids);
    expect(await s.pendingCount()).toBe(1);
  });

  it("reports nothing pending, no consumers and unknown lag before the stream exists", async () => {
    fx = await redis.factory();
    expect(await fx.stream.pendingCount()).toBe(0);
    expect(await fx.stream.lag()).toBeNull();
    expect(await fx.stream.consumers()).toEqual([]);
  });

  it("keeps the lease in the stream's own cluster slot, expiring by itself", async () => {
    const { s, lease } = await open();
    const keys = (await redis.client().keys(`{*}${s.key}:lease*`)).sort();
    expect(keys).toHaveLength(2); // the lease and its fencing-token counter
    for (const k of keys) expect(keySlot(k)).toBe(keySlot(s.key));
    const leaseKey = keys.find((k) => !k.includes("lease-token"))!;
    expect(await redis.client().get(leaseKey)).toBe(`${lease.token} a`);
    const ttl = await redis.client().pttl(leaseKey);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it("waits on a connection of its own, closed by close() (which ends a blocked read at once)", async () => {
    const { s, lease } = await open();
    const before = await clientCount();
    const reading = s.readNew(lease, 1, 3_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(await clientCount()).toBe(before + 1);
    const started = Date.now();
    await s.close();
    expect(await reading).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await clientCount()).toBe(before);
    await expect(s.readNew(lease, 1, 0)).resolves.toEqual([]);
    expect(await redis.client().ping()).toBe("PONG");
  });

  it(`caps a longer block at ${MAX_BLOCK_MS} ms`, async () => {
    const { s, lease } = await open();
    const started = Date.now();
    expect(await s.readNew(lease, 1, 60_000)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(MAX_BLOCK_MS + 1_000);
  }, 10_000);
});
