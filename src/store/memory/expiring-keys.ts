/**
 * Keys remembered per game type for `windowMs` of the commands' clock: the memory store's
 * applied event ids and its tombstones of deleted games. Entries are purged from the oldest end on every
 * call, so memory stays bounded by the events of one window. A window ≤ 0 remembers
 * nothing. Never throws.
 */
export class ExpiringKeys {
  // Map iteration order is insertion order; `remember` re-inserts, so the oldest come first.
  private readonly until = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  /** True when `key` of `type` was remembered within the window before `now`. */
  seen(type: string, key: string, now: number): boolean {
    this.purge(now);
    const until = this.until.get(this.slot(type, key));
    return until !== undefined && until > now;
  }

  remember(type: string, key: string, now: number): void {
    if (this.windowMs <= 0) return;
    const slot = this.slot(type, key);
    this.until.delete(slot);
    this.until.set(slot, now + this.windowMs);
  }

  private purge(now: number): void {
    for (const [slot, until] of this.until) {
      // Stops at the first live entry: a clock that went backwards only delays purging.
      if (until > now) return;
      this.until.delete(slot);
    }
  }

  private slot(type: string, key: string): string {
    return `${type}\u0000${key}`;
  }
}
