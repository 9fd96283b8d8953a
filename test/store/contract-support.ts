import { afterEach, beforeEach, expect } from "vitest";
import type { ErrorCode } from "../../src/domain/errors.js";
import { type GameSort, matchesFilter, type NormalizedFilter, sortKey } from "../../src/domain/filter.js";
import type { Catalog } from "../../src/domain/game-type.js";
import type { GameRecord } from "../../src/domain/game.js";
import { compareKeys, type Cursor, type Page, type PageItem } from "../../src/domain/paging.js";
import type { GameStore } from "../../src/store/game-store.js";
import type { SearchBudget } from "../../src/store/search-budget.js";

export interface StoreFixture {
  store: GameStore;
  cleanup(): Promise<void>;
}
/** What a test may choose about the store it gets; by default testCatalog and the store's own dedupe window. */
export interface StoreOptions {
  catalog?: Catalog;
  eventDedupeMs?: number;
  searchBudget?: Partial<SearchBudget>;
}
export type StoreFactory = (options?: StoreOptions) => Promise<StoreFixture>;

/** A fresh store (own key prefix for Redis) per test; returns a getter for it. */
export function useStore(factory: StoreFactory, options?: StoreOptions): () => GameStore {
  let fixture: StoreFixture | null = null;
  beforeEach(async () => {
    fixture = await factory(options);
  });
  afterEach(async () => {
    await fixture?.cleanup();
    fixture = null;
  });
  return () => fixture!.store;
}

/** Asserts that `p` rejects with a MatchmakerError carrying `code`; returns the error. */
export async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<Error & { details?: Record<string, unknown> }> {
  const err = await p.then(
    () => null,
    (e: unknown) => e as Error & { code?: string },
  );
  expect(err, `expected ${code}`).not.toBeNull();
  expect(err!.code).toBe(code);
  return err!;
}

export interface Listed {
  items: PageItem[];
  pages: Page[];
}

/**
 * Follows endCursor until the last page; fails on a loop rather than hanging. A page
 * may be short (even empty) only when a search budget stopped it early.
 */
export async function listAll(store: GameStore, filter: NormalizedFilter, sort: GameSort, first: number): Promise<Listed> {
  const items: PageItem[] = [];
  const pages: Page[] = [];
  let after: Cursor | null = null;
  for (let i = 0; i < 1_000; i++) {
    const page = await store.list({ filter, sort, first, after });
    pages.push(page);
    items.push(...page.items);
    if (!page.hasNextPage) return { items, pages };
    expect(page.endCursor).not.toBeNull();
    // At or past the page's last item (past it when the scan went on without a match).
    const last = page.items.at(-1)?.cursor;
    if (last) expect(compareKeys(page.endCursor!, last, sort.direction)).toBeGreaterThanOrEqual(0);
    after = page.endCursor;
  }
  throw new Error("paging did not end");
}

/** What a list must return, straight from the reference semantics. */
export function reference(games: readonly GameRecord[], filter: NormalizedFilter, sort: GameSort): Cursor[] {
  return games
    .filter((g) => matchesFilter(g, filter))
    .flatMap((g) => sortKey(g, sort) ?? [])
    .sort((a, b) => compareKeys(a, b, sort.direction));
}

export const ids = (items: readonly { game: GameRecord }[]): string[] => items.map((i) => i.game.id);

/** Every page of a filter, as ids, for before/after comparisons. */
export async function snapshotIds(store: GameStore, filter: NormalizedFilter, sort: GameSort): Promise<string[]> {
  return ids((await listAll(store, filter, sort, 100)).items);
}
