import { badInput } from "./errors.js";
import type { GameRecord } from "./game.js";
import { SortDirection } from "./sort.js";

/**
 * Position after which the next page starts: a game's sort key (score, then `tie` when
 * the sort has one, then id), or where a search stopped scanning (see Page.endCursor).
 */
export interface Cursor {
  score: number;
  /** NEAREST: the label value, so equal distances keep one order. */
  tie?: number;
  id: string;
}

/** The opaque `after` text of a cursor (base64url JSON). Never throws. */
export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c.tie === undefined ? [c.score, c.id] : [c.score, c.id, c.tie])).toString("base64url");
}

/** Throws BAD_USER_INPUT for anything that is not a cursor this service handed out. */
export function decodeCursor(raw: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && typeof parsed[0] === "number" && typeof parsed[1] === "string") {
      if (parsed.length === 2) return { score: parsed[0], id: parsed[1] };
      if (parsed.length === 3 && typeof parsed[2] === "number") return { score: parsed[0], id: parsed[1], tie: parsed[2] };
    }
  } catch {
    // fall through to the typed error
  }
  throw badInput(`"after" is not a valid cursor; pass an endCursor or cursor returned by games.`);
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Total order used by every backend: by score, then tie (when both have one), then id (as Redis orders equal scores). */
export function compareKeys(a: Cursor, b: Cursor, direction: SortDirection): number {
  const c =
    a.score !== b.score ? a.score - b.score
    : a.tie !== undefined && b.tie !== undefined && a.tie !== b.tie ? a.tie - b.tie
    : byId(a.id, b.id);
  return direction === SortDirection.ASC ? c : -c;
}

export interface PageItem {
  game: GameRecord;
  cursor: Cursor;
}

export interface Page {
  items: PageItem[];
  /** Exact when totalCountCapped is false; otherwise at least this many games match (counting stopped early). */
  totalCount: number;
  totalCountCapped: boolean;
  hasNextPage: boolean;
  /**
   * Where the next page starts: the last item's cursor, or — when a search ran out of its
   * scan budget before filling the page — the position it had examined up to, which may
   * lie past the last item (the page can even be empty while hasNextPage is true).
   */
  endCursor: Cursor | null;
}

/** A page with nothing in it and nothing after it. */
export const EMPTY_PAGE: Page = Object.freeze({ items: [], totalCount: 0, totalCountCapped: false, hasNextPage: false, endCursor: null });

/**
 * Merges per-game-type pages (each sorted and cut after the same cursor) into one. A
 * page that stopped early vouches only for positions up to its endCursor, so nothing
 * past the earliest such position is returned (its type may still have games before it).
 * Never throws.
 */
export function mergePages(pages: Page[], first: number, direction: SortDirection): Page {
  if (pages.length === 1) return pages[0]!;
  const cmp = (a: Cursor, b: Cursor) => compareKeys(a, b, direction);
  let bound: Cursor | null = null;
  let open = false;
  for (const p of pages) {
    if (!p.hasNextPage) continue;
    open = true;
    // hasNextPage without an endCursor (first = 0) vouches for nothing.
    if (p.endCursor === null) return { ...mergedCounts(pages), items: [], hasNextPage: true, endCursor: null };
    if (bound === null || cmp(p.endCursor, bound) < 0) bound = p.endCursor;
  }
  const certain = pages
    .flatMap((p) => p.items)
    .filter((it) => bound === null || cmp(it.cursor, bound) <= 0)
    .sort((a, b) => cmp(a.cursor, b.cursor));
  const items = certain.slice(0, first);
  const hasNextPage = certain.length > first || open;
  const full = items.length === first;
  return {
    ...mergedCounts(pages),
    items,
    hasNextPage,
    endCursor: !hasNextPage || full ? (items.at(-1)?.cursor ?? null) : bound,
  };
}

function mergedCounts(pages: Page[]): Pick<Page, "totalCount" | "totalCountCapped"> {
  return { totalCount: pages.reduce((n, p) => n + p.totalCount, 0), totalCountCapped: pages.some((p) => p.totalCountCapped) };
}
