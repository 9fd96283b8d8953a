import { matchesFilter } from "../../domain/filter.js";
import type { Catalog } from "../../domain/game-type.js";
import { freeSeats, type GameRecord } from "../../domain/game.js";
import { compareKeys, type Cursor, EMPTY_PAGE, mergePages, type Page, type PageItem } from "../../domain/paging.js";
import { type GameSort, normalizeSort, SortDirection, SortField, sortKey } from "../../domain/sort.js";
import type { ListQuery } from "../game-store.js";
import type { SearchBudget } from "../search-budget.js";
import { SortedKeys } from "./sorted-keys.js";

interface TypeIndex {
  created: SortedKeys;
  free: SortedKeys;
  /** Declared numeric labels: games whose value is a finite number, by (value, id). */
  labels: Map<string, SortedKeys>;
  /** How many games of the type are in each class (see CountClass), by classKey. */
  classes: Map<string, CountClass>;
}

/**
 * Games that every filter without label conditions treats alike: the same state,
 * visibility, host presence, region and free seats — all matchesFilter looks at then.
 * `sample` stands for them in matchesFilter; `n` is how many there are.
 */
interface CountClass {
  sample: GameRecord;
  n: number;
}

/** The keys a game is filed under, to find its entries again when it changes. */
interface Filed {
  free: Cursor;
  labels: Map<string, Cursor>;
  /** The class the game is counted in, and its key. */
  cls: CountClass;
  classKey: string;
}

const classKey = (g: GameRecord): string =>
  `${g.state}\u0000${g.visibility}\u0000${g.hostConnected ? 1 : 0}\u0000${freeSeats(g)}\u0000${g.region === null ? "-" : `+${g.region}`}`;

/** A record with only what matchesFilter reads besides labels; freeSeats(sample) is the class's. */
const sampleOf = (g: GameRecord): GameRecord =>
  ({ gameType: g.gameType, state: g.state, visibility: g.visibility, hostConnected: g.hostConnected, region: g.region, capacity: freeSeats(g), players: [], labels: {} }) as unknown as GameRecord;

const FREE = { field: SortField.FREE_SEATS, direction: SortDirection.ASC } as const;
const ASC = SortDirection.ASC;

/**
 * The memory store's lobby index: per game type, games in creation order, in free-seat
 * order and by each declared numeric label, kept in step by `sync` after every change
 * (and `drop` on removal), so a page walks from its cursor instead of sorting every game.
 */
export class SearchIndex {
  private readonly types = new Map<string, TypeIndex>();
  private readonly filed = new Map<string, Filed>();

  constructor(
    private readonly catalog: Catalog,
    private readonly games: ReadonlyMap<string, GameRecord>,
    private readonly budget: SearchBudget,
  ) {}

  /** Files `g` as it is now (new or changed). Cheap when nothing the index sorts by changed. Never throws. */
  sync(g: GameRecord): void {
    const t = this.typeIndex(g.gameType);
    let f = this.filed.get(g.id);
    if (!f) {
      t.created.insert({ score: g.createdAt, id: g.id });
      const key = classKey(g);
      f = { free: sortKey(g, FREE)!, labels: new Map(), cls: countIn(t, key, g), classKey: key };
      t.free.insert(f.free);
      this.filed.set(g.id, f);
    } else {
      const free = sortKey(g, FREE)!;
      if (free.score !== f.free.score) {
        t.free.remove(f.free);
        t.free.insert((f.free = free));
      }
      const key = classKey(g);
      if (key !== f.classKey) {
        uncount(t, f.classKey, f.cls);
        f.cls = countIn(t, key, g);
        f.classKey = key;
      }
    }
    for (const [label, list] of t.labels) {
      const now = sortKey(g, { field: SortField.LABEL, direction: ASC, label });
      const was = f.labels.get(label);
      if (now?.score === was?.score) continue;
      if (was) list.remove(was);
      if (now) list.insert(now);
      if (now) f.labels.set(label, now);
      else f.labels.delete(label);
    }
  }

  /** Forgets `g` (deleted or expired). Never throws. */
  drop(g: GameRecord): void {
    const f = this.filed.get(g.id);
    const t = this.types.get(g.gameType);
    if (!f || !t) return;
    t.created.remove({ score: g.createdAt, id: g.id });
    t.free.remove(f.free);
    for (const [label, key] of f.labels) t.labels.get(label)?.remove(key);
    uncount(t, f.classKey, f.cls);
    this.filed.delete(g.id);
  }

  /**
   * One page of `q`: per type, walks the index in sort order from the cursor and keeps
   * the games that match, within the scan budget; types merged by mergePages. Items are
   * the stored records (the caller copies them). Throws BAD_USER_INPUT for a sort the
   * listed types cannot order by.
   */
  list(q: ListQuery): Page {
    const sort = normalizeSort(q.sort, q.filter.gameTypes.map((id) => this.catalog.get(id)));
    const after = q.after && sort.field !== SortField.NEAREST ? { score: q.after.score, id: q.after.id } : q.after;
    const first = Math.max(0, Math.floor(q.first));
    const pages = q.filter.gameTypes.map((type) => this.listType(type, { ...q, sort, after }, first));
    return pages.length === 0 ? EMPTY_PAGE : mergePages(pages, first, sort.direction);
  }

  private listType(type: string, q: ListQuery, first: number): Page {
    const t = this.types.get(type);
    if (!t) return EMPTY_PAGE;
    const found: PageItem[] = [];
    let scanned = 0;
    let last: Cursor | null = null;
    let stopped = false;
    const it = this.walk(t, q.sort, q.after);
    for (let next = it.next(); !next.done; next = it.next()) {
      if (scanned >= this.budget.scan) {
        stopped = true;
        break;
      }
      scanned++;
      last = next.value;
      const g = this.games.get(last.id);
      if (g && matchesFilter(g, q.filter)) found.push({ game: g, cursor: last });
      if (found.length > first) break;
    }
    const more = found.length > first;
    const endCursor = more ? (found[first - 1]?.cursor ?? null) : stopped ? last : (found.at(-1)?.cursor ?? null);
    return { ...this.count(t, q), items: found.slice(0, first), hasNextPage: more || stopped, endCursor };
  }

  /** Exact when every candidate of the sort fits the count budget; else the matches among the first ones. */
  private count(t: TypeIndex, q: ListQuery): Pick<Page, "totalCount" | "totalCountCapped"> {
    const list = this.listFor(t, q.sort);
    const n = Math.min(list.length, this.budget.count);
    if (n === list.length && (list === t.created || list === t.free) && q.filter.labels.length === 0) {
      // Every game of the type is a candidate of these sorts, all within the budget: the count is
      // exact, and without label conditions it is the sum over the classes that match.
      let totalCount = 0;
      for (const c of t.classes.values()) if (matchesFilter(c.sample, q.filter)) totalCount += c.n;
      return { totalCount, totalCountCapped: false };
    }
    let totalCount = 0;
    for (let i = 0; i < n; i++) {
      const g = this.games.get(list.at(i).id);
      if (g && matchesFilter(g, q.filter)) totalCount++;
    }
    return { totalCount, totalCountCapped: n < list.length };
  }

  private listFor(t: TypeIndex, sort: GameSort): SortedKeys {
    if (sort.field === SortField.CREATED_AT) return t.created;
    if (sort.field === SortField.FREE_SEATS) return t.free;
    return t.labels.get(sort.label!) ?? new SortedKeys();
  }

  private walk(t: TypeIndex, sort: GameSort, after: Cursor | null): Iterator<Cursor> {
    const list = this.listFor(t, sort);
    return sort.field === SortField.NEAREST ? nearest(list, sort.target!, after) : list.walk(sort.direction, after);
  }

  private typeIndex(type: string): TypeIndex {
    let t = this.types.get(type);
    if (!t) {
      const numeric = Object.entries(this.catalog.get(type)?.labels ?? {}).filter(([, kind]) => kind === "number");
      t = {
        created: new SortedKeys(),
        free: new SortedKeys(),
        labels: new Map(numeric.map(([label]) => [label, new SortedKeys()])),
        classes: new Map(),
      };
      this.types.set(type, t);
    }
    return t;
  }
}

function countIn(t: TypeIndex, key: string, g: GameRecord): CountClass {
  let c = t.classes.get(key);
  if (!c) t.classes.set(key, (c = { sample: sampleOf(g), n: 0 }));
  c.n++;
  return c;
}

function uncount(t: TypeIndex, key: string, c: CountClass): void {
  if (--c.n === 0) t.classes.delete(key);
}

/**
 * Keys of `list` (by value) in NEAREST order after `after`: distance |v − target|, then
 * v, then id. Values above the target come in list order; below it, distance grows
 * as the index falls, so each run of equal distance is found by binary search and
 * walked upward (ascending v, id).
 */
function* nearest(list: SortedKeys, target: number, after: Cursor | null): Generator<Cursor> {
  const dist = (k: Cursor) => Math.abs(k.score - target);
  const keyOf = (k: Cursor): Cursor => ({ score: dist(k), tie: k.score, id: k.id });
  const mid = list.firstIndex((k) => k.score > target);
  let right = mid;
  let top = mid; // left indexes below `top` are still to come
  let run: [number, number] = [0, 0];
  if (after) {
    const d0 = after.score;
    const v0 = after.tie ?? target + d0;
    right = list.firstIndex((k) => compareKeys(keyOf(k), after, ASC) > 0, mid);
    top = list.firstIndex((k) => dist(k) <= d0, 0, mid);
    if (v0 <= target) {
      // The cursor sits in the run of distance d0 below the target: finish that run first.
      const end = list.firstIndex((k) => dist(k) < d0, top, mid);
      run = [list.firstIndex((k) => compareKeys(k, { score: v0, id: after.id }, ASC) > 0, top, end), end];
    }
  }
  for (;;) {
    if (run[0] >= run[1] && top > 0) {
      const d = dist(list.at(top - 1));
      run = [list.firstIndex((k) => dist(k) <= d, 0, top), top];
      top = run[0];
    }
    const l = run[0] < run[1] ? keyOf(list.at(run[0])) : null;
    const r = right < list.length ? keyOf(list.at(right)) : null;
    if (!l && !r) return;
    if (l && (!r || compareKeys(l, r, ASC) < 0)) {
      run[0]++;
      yield l;
    } else {
      right++;
      yield r!;
    }
  }
}
