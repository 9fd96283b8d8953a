import { badInput } from "./errors.js";
import type { GameRecord } from "./game.js";
import { SortDirection } from "./filter.js";

/** Position after which the next page starts: the last item's sort score and id. */
export interface Cursor {
  score: number;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.score, c.id])).toString("base64url");
}

/** Throws BAD_USER_INPUT for anything that is not a cursor this service handed out. */
export function decodeCursor(raw: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && typeof parsed[0] === "number" && typeof parsed[1] === "string") {
      return { score: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through to the typed error
  }
  throw badInput(`"after" is not a valid cursor; pass an endCursor or cursor returned by games.`);
}

/** Total order used by every backend: by score, then id (as Redis orders equal scores). */
export function compareKeys(a: Cursor, b: Cursor, direction: SortDirection): number {
  const c = a.score !== b.score ? a.score - b.score : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  return direction === SortDirection.ASC ? c : -c;
}

export interface PageItem {
  game: GameRecord;
  cursor: Cursor;
}

export interface Page {
  items: PageItem[];
  totalCount: number;
  hasNextPage: boolean;
}

/** Merges per-game-type pages (each already sorted and cut after the same cursor) into one. */
export function mergePages(pages: Page[], first: number, direction: SortDirection): Page {
  const all = pages.flatMap((p) => p.items).sort((a, b) => compareKeys(a.cursor, b.cursor, direction));
  return {
    items: all.slice(0, first),
    totalCount: pages.reduce((n, p) => n + p.totalCount, 0),
    hasNextPage: all.length > first || pages.some((p) => p.hasNextPage),
  };
}
