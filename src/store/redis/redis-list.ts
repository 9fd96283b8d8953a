import { type Catalog, hasGameServer } from "../../domain/game-type.js";
import { type Cursor, EMPTY_PAGE, mergePages, type Page, type PageItem } from "../../domain/paging.js";
import { normalizeSort, SortField } from "../../domain/sort.js";
import type { ListQuery } from "../game-store.js";
import type { SearchBudget } from "../search-budget.js";
import { decodeGame } from "./codec.js";
import type { RedisKeys } from "./keys.js";
import { guarded } from "./replies.js";
import type { ScriptRunner } from "./scripts.js";
import { planSearch } from "./search-plan.js";

export interface RedisListDeps {
  keys: RedisKeys;
  run: ScriptRunner;
  catalog: Catalog;
  budget: SearchBudget;
}

/** `hash`: the game's HGETALL as a JSON array (`{}` when the hash is missing: cjson's empty table). */
type Row = [id: string, score: string, tie: string, hash: string];
type Reply = [count: number, capped: number, more: number, endScore: string, endTie: string, endId: string, ...rows: Row[]];

/** Where the rows start in a list reply. */
const ROWS = 6;

const keyOf = (score: string, tie: string, id: string): Cursor =>
  tie === "" ? { score: Number(score), id } : { score: Number(score), tie: Number(tie), id };

/**
 * The Redis store's `list`: one list-n.lua call per listed game type (each on its own
 * hash slot, bounded by the budget), merged with mergePages. Throws BAD_USER_INPUT for
 * a sort or label filter the types cannot serve, BACKEND_UNAVAILABLE when Redis is not
 * reachable.
 */
export function createRedisList({ keys, run, catalog, budget }: RedisListDeps): (q: ListQuery) => Promise<Page> {
  const listType = async (type: string, q: ListQuery, first: number): Promise<Page> => {
    const def = catalog.get(type);
    const plan = planSearch(keys, type, def?.labels ?? {}, q.filter, q.sort, budget, def !== undefined && hasGameServer(def));
    if (plan === null) return EMPTY_PAGE;
    const after = q.after === null ? "" : JSON.stringify(q.after.tie === undefined ? [q.after.score, q.after.id] : [q.after.score, q.after.id, q.after.tie]);
    const args = [JSON.stringify(plan.body), String(first), after, keys.gamePrefix(type)];
    const reply = (await guarded(() => run("list", plan.keys, args))) as Reply;
    const [count, capped, more, endScore, endTie, endId] = reply;
    const items: PageItem[] = [];
    for (let i = ROWS; i < reply.length; i++) {
      const [id, score, tie, packed] = reply[i] as Row;
      const flat: unknown = JSON.parse(packed);
      // A hash gone missing under its index entry would be a bug; never hand out a half game.
      if (Array.isArray(flat) && flat.length > 0) items.push({ game: decodeGame(flat as string[]), cursor: keyOf(score, tie, id) });
    }
    return {
      items,
      totalCount: count,
      totalCountCapped: capped === 1,
      hasNextPage: more === 1,
      endCursor: endScore === "" ? null : keyOf(endScore, endTie, endId),
    };
  };

  return async (q) => {
    const sort = normalizeSort(q.sort, q.filter.gameTypes.map((id) => catalog.get(id)));
    // Only NEAREST keys carry a tie; a stray one from another sort must not shift the position.
    const after = q.after && sort.field !== SortField.NEAREST ? { score: q.after.score, id: q.after.id } : q.after;
    const first = Math.max(0, Math.floor(q.first));
    const pages = await Promise.all(q.filter.gameTypes.map((type) => listType(type, { ...q, sort, after }, first)));
    return pages.length === 0 ? EMPTY_PAGE : mergePages(pages, first, sort.direction);
  };
}
