/**
 * The in-memory pool of SEARCHING tickets one queue's matcher works on. Three orders over the
 * same entries, each a B+ tree (O(log N) add and remove):
 *
 * - by rating (then id): the matcher scans candidates outward from a seed's rating;
 * - by seed turn — (round, enqueuedAt, id): the round-robin of seeds (see {@link TicketPool.nextSeed});
 * - by age — (enqueuedAt, id): timeouts are the oldest entries, found without a scan.
 *
 * Not a store: it holds a copy of what the caller last read; the caller keeps it in step.
 */
import { BTree } from "./btree.js";
import { TIMEOUT_REASONS, TimeoutReason } from "./queue.js";
import type { Ticket } from "./ticket.js";

/** One pooled ticket with the matcher's bookkeeping. Read-only outside this folder. */
export interface PoolEntry {
  readonly ticket: Ticket;
  /** The ticket's id, rating and enqueuedAt again, on the entry itself: the trees compare them on every step of a seek, and walks read them. */
  readonly id: string;
  readonly rating: number;
  readonly enqueuedAt: number;
  /** The first tick (by index) in which this entry may be a seed again. */
  round: number;
  /** Failed seed attempts, by the rule that failed most in each. */
  readonly failures: Record<TimeoutReason, number>;
}

const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byRating = (a: PoolEntry, b: PoolEntry): number => a.rating - b.rating || cmpStr(a.id, b.id);
const byAge = (a: PoolEntry, b: PoolEntry): number => a.enqueuedAt - b.enqueuedAt || cmpStr(a.id, b.id);
const bySeedTurn = (a: PoolEntry, b: PoolEntry): number => a.round - b.round || byAge(a, b);

const freezeTicket = (t: Ticket): Ticket =>
  Object.freeze({
    id: t.id,
    version: t.version,
    playerIds: Object.freeze([...t.playerIds]),
    rating: t.rating,
    ...(t.latencies ? { latencies: Object.freeze({ ...t.latencies }) } : {}),
    enqueuedAt: t.enqueuedAt,
  });

export class TicketPool {
  private readonly entries = new Map<string, PoolEntry>();
  private readonly rating = new BTree<PoolEntry, undefined>(undefined, byRating);
  private readonly seedTurn = new BTree<PoolEntry, undefined>(undefined, bySeedTurn);
  private readonly age = new BTree<PoolEntry, undefined>(undefined, byAge);
  private ticks = 0;

  /** Tickets in the pool. */
  get size(): number {
    return this.entries.size;
  }

  /** Ticks run on this pool so far (the index of the next one). */
  get ticksRun(): number {
    return this.ticks;
  }

  /**
   * Adds a copy of `ticket` (later changes to the caller's object do not reach the pool). A
   * ticket already pooled under the same id is replaced when `ticket.version` is higher — how a
   * caller re-adds a ticket whose commit lost a race with a newer version — and otherwise left
   * alone. Returns whether the pool changed. A new entry waits its turn as a seed behind every
   * entry already due (see {@link nextSeed}), whatever its enqueuedAt.
   *
   * @throws RangeError when rating or enqueuedAt is not a finite number: it would corrupt the
   *   orders. Other rules are the enqueue edge's ({@link validateTicket}), not checked here.
   */
  add(ticket: Ticket): boolean {
    if (!Number.isFinite(ticket.rating) || !Number.isFinite(ticket.enqueuedAt)) {
      throw new RangeError(`ticket ${ticket.id}: rating and enqueuedAt must be finite numbers`);
    }
    const old = this.entries.get(ticket.id);
    if (old && old.ticket.version >= ticket.version) return false;
    if (old) this.remove(ticket.id);
    const failures = Object.fromEntries(TIMEOUT_REASONS.map((r) => [r, 0])) as Record<TimeoutReason, number>;
    const frozen = freezeTicket(ticket);
    const entry: PoolEntry = { ticket: frozen, id: frozen.id, rating: frozen.rating, enqueuedAt: frozen.enqueuedAt, round: this.ticks, failures };
    this.entries.set(ticket.id, entry);
    this.rating.set(entry, undefined);
    this.seedTurn.set(entry, undefined);
    this.age.set(entry, undefined);
    return true;
  }

  /** Removes the ticket `id`; returns it, or undefined when it was not pooled. Never throws. */
  remove(id: string): Ticket | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    this.rating.delete(entry);
    this.seedTurn.delete(entry);
    this.age.delete(entry);
    return entry.ticket;
  }

  /** The pooled copy of ticket `id`, or undefined. */
  get(id: string): Ticket | undefined {
    return this.entries.get(id)?.ticket;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Every pooled ticket, lowest rating first. */
  *tickets(): IterableIterator<Ticket> {
    for (const entry of this.rating.keys()) yield entry.ticket;
  }

  /** Failed seed attempts of ticket `id` by reason (a copy), or undefined when not pooled. */
  failuresOf(id: string): Record<TimeoutReason, number> | undefined {
    const entry = this.entries.get(id);
    return entry ? { ...entry.failures } : undefined;
  }

  // ---- The matcher's side (src/domain/tickets/matcher.ts); not for other callers. ----

  /** @internal Starts a tick: returns its index. */
  beginTick(): number {
    return this.ticks++;
  }

  /** @internal The entry of ticket `id`. */
  entry(id: string): PoolEntry | undefined {
    return this.entries.get(id);
  }

  /** @internal Entries with enqueuedAt ≤ `cutoff`, oldest first (a copy: safe to remove while walking). */
  enqueuedBy(cutoff: number): PoolEntry[] {
    const out: PoolEntry[] = [];
    for (const entry of this.age.keys()) {
      if (entry.enqueuedAt > cutoff) break;
      out.push(entry);
    }
    return out;
  }

  /** @internal The earliest enqueuedAt in the pool, or undefined when empty. */
  oldestEnqueuedAt(): number | undefined {
    return this.age.minKey()?.enqueuedAt;
  }

  /**
   * @internal The next seed of tick `tick`, or undefined when every entry has had its turn in it.
   * Entries are served in (round, enqueuedAt, id) order and a served entry moves to round
   * `tick + 1`, behind everyone still due — a round-robin whose cursor is the round number. An
   * entry added before tick k has round k, so the entries ahead of it were all in the pool when
   * tick k began: with S seeds per tick it is a seed within ⌈N / S⌉ ticks, N being the pool
   * size at the start of tick k, however many tickets arrive meanwhile (they queue behind it).
   * Within a round the oldest ticket goes first and so gets the first pick of candidates.
   */
  nextSeed(tick: number): PoolEntry | undefined {
    const entry = this.seedTurn.minKey();
    if (entry === undefined || entry.round > tick) return undefined;
    this.seedTurn.delete(entry);
    entry.round = tick + 1;
    this.seedTurn.set(entry, undefined);
    return entry;
  }

  /**
   * @internal Other entries in order of rating distance from `from` (ties: lower rating first),
   * each side walked lazily until `scan.beyondUp` / `scan.beyondDown` says a rating is past the
   * limit; `scan.cut` is then set (someone was there, out of reach). O(log N) to start, O(1)
   * amortised per entry. The pool must not change while a walk is in progress.
   */
  *nearest(from: PoolEntry, scan: RatingScan): Generator<PoolEntry, void> {
    const up = this.rating.keys(from);
    const down = this.rating.entriesReversed(from, undefined, true);
    const r = from.rating;
    const nextUp = (): PoolEntry | undefined => {
      let e = up.next().value as PoolEntry | undefined;
      if (e === from) e = up.next().value as PoolEntry | undefined;
      if (e && scan.beyondUp(e.rating)) [e, scan.cut] = [undefined, true];
      return e;
    };
    const nextDown = (): PoolEntry | undefined => {
      let e = (down.next().value as [PoolEntry, undefined] | undefined)?.[0];
      if (e && scan.beyondDown(e.rating)) [e, scan.cut] = [undefined, true];
      return e;
    };
    let u = nextUp();
    let d = nextDown();
    while (u || d) {
      if (d && (!u || r - d.rating <= u.rating - r)) {
        yield d;
        d = nextDown();
      } else {
        yield u!;
        u = nextUp();
      }
    }
  }
}

/** Where a rating scan stops on each side, and whether it stopped there with entries left. */
export interface RatingScan {
  readonly beyondUp: (rating: number) => boolean;
  readonly beyondDown: (rating: number) => boolean;
  cut: boolean;
}
