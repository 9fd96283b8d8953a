import { type RateLimiterAbstract, RateLimiterRes } from "rate-limiter-flexible";

/** Budgets this large are taken from the shared counter this many points at a time (at least 1). */
const RESERVE_FRACTION = 50;
/** Keys held in memory at most; past it, points are taken from the shared counter one by one. */
const MAX_LOCAL_KEYS = 100_000;

interface Reserve {
  left: number;
  until: number;
}

/**
 * A shared (Redis) limiter that takes points for busy keys in small reserves, so a large
 * budget — an address's 3,000 operations a minute — costs a Redis call per reserve instead of
 * per request. A reserve is 1/50 of the budget (1 for budgets under 100, which stay exact) and
 * counts against the shared budget the moment it is taken, so every process together never
 * exceeds it; what a process reserved but did not use is lost with the window, making the
 * budget at most 2 % stricter per process. Near the end of a budget a reserve that does not
 * fit is given back and single points are taken instead. Refusals are the library's
 * RateLimiterRes rejections, as from consume().
 */
export class ReservingLimiter {
  private readonly reserves = new Map<string, Reserve>();
  /** Keys whose reserve is being taken from the shared counter (one at a time per key). */
  private readonly taking = new Map<string, Promise<void>>();
  private readonly chunk: number;

  constructor(
    readonly shared: RateLimiterAbstract,
    private readonly now: () => number = Date.now,
  ) {
    this.chunk = Math.max(1, Math.floor(shared.points / RESERVE_FRACTION));
  }

  get points(): number {
    return this.shared.points;
  }

  async consume(key: string): Promise<void> {
    if (this.chunk === 1) return void (await this.shared.consume(key));
    for (;;) {
      const held = this.reserves.get(key);
      if (held && held.left > 0 && this.now() < held.until) {
        held.left -= 1;
        return;
      }
      // A burst from one key waits for the reserve already being taken instead of each taking
      // its own: 500 requests at once would otherwise reserve 500 chunks and spend the budget.
      const taking = this.taking.get(key);
      if (taking === undefined) break;
      await taking;
    }
    const took = this.take(key);
    this.taking.set(key, took.then(() => undefined, () => undefined));
    try {
      await took;
    } finally {
      this.taking.delete(key);
    }
  }

  private async take(key: string): Promise<void> {
    const t = this.now();
    this.reserves.delete(key);
    try {
      const res = await this.shared.consume(key, this.chunk);
      this.keep(key, { left: this.chunk - 1, until: t + res.msBeforeNext }, t);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      // Spent before this reserve (or blocked in memory, which reports nothing consumed): refused, no more calls.
      if (err.consumedPoints === 0 || err.consumedPoints - this.chunk >= this.shared.points) throw err;
      // The reserve did not fit what was left: give it back, and take the one point.
      await this.shared.reward(key, this.chunk).catch(() => undefined);
      await this.shared.consume(key, 1);
    }
  }

  /** Gives back one point to the shared counter. */
  reward(key: string, points = 1): Promise<unknown> {
    return this.shared.reward(key, points);
  }

  private keep(key: string, r: Reserve, t: number): void {
    if (this.reserves.size >= MAX_LOCAL_KEYS) {
      for (const [k, v] of this.reserves) if (v.until <= t) this.reserves.delete(k);
      if (this.reserves.size >= MAX_LOCAL_KEYS) return;
    }
    this.reserves.set(key, r);
  }
}
