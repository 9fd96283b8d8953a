import { compareKeys, type Cursor } from "../../domain/paging.js";
import { SortDirection } from "../../domain/sort.js";

const asc = (a: Cursor, b: Cursor) => compareKeys(a, b, SortDirection.ASC);

/**
 * Keys (score, id) kept in ascending order in one array: O(log n) to find a position,
 * O(n) memmove to insert or remove — cheap next to a full sort per query.
 */
export class SortedKeys {
  private readonly keys: Cursor[] = [];

  get length(): number {
    return this.keys.length;
  }

  at(i: number): Cursor {
    return this.keys[i]!;
  }

  insert(key: Cursor): void {
    this.keys.splice(this.firstIndex((k) => asc(k, key) >= 0), 0, key);
  }

  /** Removes the key equal to `key`; a missing key is ignored. */
  remove(key: Cursor): void {
    const i = this.firstIndex((k) => asc(k, key) >= 0);
    if (i < this.keys.length && asc(this.keys[i]!, key) === 0) this.keys.splice(i, 1);
  }

  /** First index in [lo, hi) whose key satisfies `pred`, which must be false then true along the array. */
  firstIndex(pred: (k: Cursor) => boolean, lo = 0, hi = this.keys.length): number {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pred(this.keys[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Keys strictly after `after` (from the start when null), in `direction`. */
  *walk(direction: SortDirection, after: Cursor | null): Generator<Cursor> {
    if (direction === SortDirection.ASC) {
      for (let i = after ? this.firstIndex((k) => asc(k, after) > 0) : 0; i < this.keys.length; i++) yield this.keys[i]!;
    } else {
      for (let i = (after ? this.firstIndex((k) => asc(k, after) >= 0) : this.keys.length) - 1; i >= 0; i--) yield this.keys[i]!;
    }
  }
}
