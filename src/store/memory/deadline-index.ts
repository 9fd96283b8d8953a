/** One entry of the index: a game and its earliest deadline. */
interface Entry {
  at: number;
  id: string;
}

// Same order as a Redis sorted set: by score, then by id.
const before = (a: Entry, b: Entry): boolean => a.at < b.at || (a.at === b.at && a.id < b.id);

/**
 * The memory store's per-type deadline index: a sorted array per game type plus a map
 * of each game's current entry, so finding due games reads only the due prefix
 * (binary search) instead of scanning every game. Changes cost a binary search and a
 * splice. Never throws.
 */
export class DeadlineIndex {
  private readonly sorted = new Map<string, Entry[]>();
  private readonly current = new Map<string, Entry>();

  /** Sets (or, with null, removes) the deadline of game `id` of `type`. */
  set(type: string, id: string, at: number | null): void {
    this.delete(type, id);
    if (at === null) return;
    const entry = { at, id };
    const list = this.sorted.get(type) ?? [];
    list.splice(this.position(list, entry), 0, entry);
    this.sorted.set(type, list);
    this.current.set(this.slot(type, id), entry);
  }

  delete(type: string, id: string): void {
    const slot = this.slot(type, id);
    const entry = this.current.get(slot);
    if (!entry) return;
    this.current.delete(slot);
    const list = this.sorted.get(type)!;
    list.splice(this.position(list, entry), 1);
    if (list.length === 0) this.sorted.delete(type);
  }

  /** Ids whose deadline is ≤ now, earliest first, at most `limit`. */
  due(type: string, now: number, limit: number): string[] {
    const out: string[] = [];
    for (const e of this.sorted.get(type) ?? []) {
      if (e.at > now || out.length >= limit) break;
      out.push(e.id);
    }
    return out;
  }

  // First index whose entry is not before `entry` (its own index when present).
  private position(list: Entry[], entry: Entry): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(list[mid]!, entry)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // Ids are unique per store, but keying by type too keeps a type mix-up from corrupting another list.
  private slot(type: string, id: string): string {
    return `${type}\u0000${id}`;
  }
}
