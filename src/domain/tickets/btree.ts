/**
 * The B+ tree the pool keeps its orders in (sorted-btree: O(log N) insert, delete and seek,
 * iteration from any key in either direction). Re-exported from here because the package is
 * CommonJS with an `exports.default`: Node's ESM loader hands over the whole module object
 * (the class is its `.default`) while vitest/vite unwrap it, so this one place copes with both.
 */
import type SortedBTree from "sorted-btree";
import * as btree from "sorted-btree";

export type BTree<K, V> = SortedBTree.default<K, V>;
type BTreeClass = typeof SortedBTree.default;

const loaded: unknown = btree.default;
export const BTree = (typeof loaded === "function" ? loaded : (loaded as { default: unknown }).default) as BTreeClass;
