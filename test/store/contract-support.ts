import { afterEach, beforeEach, expect } from "vitest";
import type { ErrorCode } from "../../src/domain/errors.js";
import { type GameSort, matchesFilter, type NormalizedFilter, sortScore } from "../../src/domain/filter.js";
import type { Catalog } from "../../src/domain/game-type.js";
import type { GameRecord } from "../../src/domain/game.js";
import { compareKeys, type Cursor, type Page, type PageItem } from "../../src/domain/paging.js";
import type { GameStore } from "../../src/store/game-store.js";

export interface StoreFixture {
  store: GameStore;
  cleanup(): Promise<void>;
}
/** What a test may choose about the store it gets; by default testCatalog and the store's own dedupe window. */
export interface StoreOptions {
  catalog?: Catalog;
  eventDedupeMs?: number;
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

/** Follows cursors until the last page; fails on a loop rather than hanging. */
export async function listAll(store: GameStore, filter: NormalizedFilter, sort: GameSort, first: number): Promise<Listed> {
  const items: PageItem[] = [];
  const pages: Page[] = [];
  let after: Cursor | null = null;
  for (let i = 0; i < 1_000; i++) {
    const page = await store.list({ filter, sort, first, after });
    pages.push(page);
    items.push(...page.items);
    if (!page.hasNextPage) return { items, pages };
    expect(page.items.length).toBe(first);
    after = page.items.at(-1)!.cursor;
  }
  throw new Error("paging did not end");
}

/** What a list must return, straight from the reference semantics. */
export function reference(games: readonly GameRecord[], filter: NormalizedFilter, sort: GameSort): Cursor[] {
  return games
    .filter((g) => matchesFilter(g, filter))
    .map((g) => ({ score: sortScore(g, sort), id: g.id }))
    .sort((a, b) => compareKeys(a, b, sort.direction));
}

export const ids = (items: readonly { game: GameRecord }[]): string[] => items.map((i) => i.game.id);

/** Every page of a filter, as ids, for before/after comparisons. */
export async function snapshotIds(store: GameStore, filter: NormalizedFilter, sort: GameSort): Promise<string[]> {
  return ids((await listAll(store, filter, sort, 100)).items);
}
