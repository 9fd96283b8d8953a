import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { describe, expect, it } from "vitest";
import { ReservingLimiter } from "../../src/ratelimit/reserving-limiter.js";

/** Counts calls to the shared counter, as a stand-in for Redis round trips. */
function counted(points: number) {
  const shared = new RateLimiterMemory({ points, duration: 60 });
  let calls = 0;
  const consume = shared.consume.bind(shared);
  shared.consume = (key: string | number, p?: number) => {
    calls++;
    return consume(key, p);
  };
  return { shared, calls: () => calls };
}

describe("ReservingLimiter", () => {
  it("lets two processes together take at most the shared budget, and nearly all of it, in far fewer shared calls", async () => {
    const { shared, calls } = counted(3_000);
    const processes = [new ReservingLimiter(shared), new ReservingLimiter(shared)];
    let taken = 0;
    let refused = 0;
    let callsWhileTaking = 0;
    for (let i = 0; i < 3_200; i++) {
      try {
        await processes[i % 2]!.consume("203.0.113.7");
        taken++;
        callsWhileTaking = calls();
      } catch (err) {
        expect(err).toBeInstanceOf(RateLimiterRes);
        refused++;
      }
    }
    expect(taken).toBeLessThanOrEqual(3_000);
    expect(taken).toBeGreaterThanOrEqual(3_000 * 0.96);
    expect(refused).toBe(3_200 - taken);
    // One shared call per reserve of 60, plus single points at the very end.
    expect(callsWhileTaking).toBeLessThan(200);
  });

  it("lets a burst of concurrent requests share the reserve being taken, not each take its own", async () => {
    // 600 a minute (reserves of 12): 500 requests at once, as a race from one address sends them.
    const { shared, calls } = counted(600);
    const limiter = new ReservingLimiter(shared);
    const outcomes = await Promise.allSettled(Array.from({ length: 500 }, () => limiter.consume("203.0.113.7")));
    expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
    expect(calls()).toBeLessThanOrEqual(Math.ceil(500 / 12) + 1);
  });

  it("takes small budgets point by point, exactly", async () => {
    const { shared, calls } = counted(30);
    const limiter = new ReservingLimiter(shared);
    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, () => limiter.consume("alice")));
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(30);
    expect(calls()).toBe(40);
  });

  it("keeps keys apart", async () => {
    const { shared } = counted(100);
    const limiter = new ReservingLimiter(shared);
    for (let i = 0; i < 100; i++) await limiter.consume("a");
    await expect(limiter.consume("a")).rejects.toBeInstanceOf(RateLimiterRes);
    await expect(limiter.consume("b")).resolves.toBeUndefined();
  });
});
