/**
 * How much work one `games` page may do, so its cost stays flat however many games a
 * type holds. A page that runs out of scan budget returns the matches it found with
 * hasNextPage and an endCursor at the scan position; the client continues from there.
 */
export interface SearchBudget {
  /** Candidates one page examines at most. */
  scan: number;
  /** Candidates examined to count matches; past it totalCount is a lower bound (totalCountCapped). */
  count: number;
  /** Redis: a candidate set at most this large is read whole (exact count, no walk). */
  materialize: number;
}

// Redis: a candidate costs ~1–2 µs of script time on a small machine (a read plus one
// batched ZMSCORE lookup per filter part it reaches), so a page stays within ~1–2 ms.
export const DEFAULT_REDIS_SEARCH_BUDGET: SearchBudget = Object.freeze({ scan: 500, count: 256, materialize: 256 });

// Memory: a check is one matchesFilter call on a record in this process (~0.3 µs).
export const DEFAULT_MEMORY_SEARCH_BUDGET: SearchBudget = Object.freeze({ scan: 5_000, count: 2_000, materialize: 0 });

/** `override` on top of `base`, each part at least 1. Never throws. */
export function searchBudget(base: SearchBudget, override?: Partial<SearchBudget>): SearchBudget {
  const pick = (k: keyof SearchBudget) => Math.max(1, Math.floor(override?.[k] ?? base[k]));
  return { scan: pick("scan"), count: pick("count"), materialize: override?.materialize ?? base.materialize };
}
