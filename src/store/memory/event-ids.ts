/**
 * The memory store's record of applied event ids, per game type, each kept for
 * `windowMs` of the commands' clock. Entries are purged from the oldest end on every
 * call, so memory stays bounded by the events of one window. A window ≤ 0 remembers
 * nothing. Never throws.
 */
export class EventIds {
  // Map iteration order is insertion order; `remember` re-inserts, so the oldest come first.
  private readonly until = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  /** True when `eventId` of `type` was remembered within the window before `now`. */
  seen(type: string, eventId: string, now: number): boolean {
    this.purge(now);
    const until = this.until.get(this.slot(type, eventId));
    return until !== undefined && until > now;
  }

  remember(type: string, eventId: string, now: number): void {
    if (this.windowMs <= 0) return;
    const slot = this.slot(type, eventId);
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

  private slot(type: string, eventId: string): string {
    return `${type}\u0000${eventId}`;
  }
}
