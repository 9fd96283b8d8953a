import { badInput } from "./errors.js";
import { freeSeats, type GameRecord } from "./game.js";
import type { GameTypeDef } from "./game-type.js";
import type { Cursor } from "./paging.js";

export enum SortField {
  CREATED_AT = "CREATED_AT",
  FREE_SEATS = "FREE_SEATS",
  /** A declared numeric label's value. */
  LABEL = "LABEL",
  /** Distance of a declared numeric label's value to `target` (closest first). */
  NEAREST = "NEAREST",
}

export enum SortDirection {
  ASC = "ASC",
  DESC = "DESC",
}

export interface GameSort {
  field: SortField;
  direction: SortDirection;
  /** LABEL and NEAREST: the numeric label to order by (declared by every listed game type). */
  label?: string | null;
  /** NEAREST: the value games are ordered by closeness to. */
  target?: number | null;
}

export const DEFAULT_SORT: GameSort = { field: SortField.CREATED_AT, direction: SortDirection.ASC };

// Free seats dominate, creation time breaks ties: 2^42 ms ≈ 139 years, so both fit
// one exactly representable double while capacity stays below 2^11.
const FREE_SEATS_WEIGHT = 2 ** 42;

export const sortWeights = { freeSeats: FREE_SEATS_WEIGHT } as const;

const labelValue = (game: GameRecord, label: string | null | undefined): number | null => {
  const v = label == null ? undefined : game.labels[label];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
};

/**
 * Where a game sits in `sort`, identical in every backend; null when the sort leaves it
 * out: LABEL and NEAREST only list games that carry the label (as a finite number).
 * Order: score, then tie (NEAREST: the value itself, so at equal distance the lower value
 * comes first), then id — never by creation time within a tie, because keeping that
 * order would cost a page as many reads as games share the value. Never throws.
 */
export function sortKey(game: GameRecord, sort: GameSort): Cursor | null {
  switch (sort.field) {
    case SortField.CREATED_AT:
      return { score: game.createdAt, id: game.id };
    case SortField.FREE_SEATS:
      return { score: freeSeats(game) * FREE_SEATS_WEIGHT + game.createdAt, id: game.id };
    case SortField.LABEL: {
      const v = labelValue(game, sort.label);
      return v === null ? null : { score: v, id: game.id };
    }
    case SortField.NEAREST: {
      const v = labelValue(game, sort.label);
      return v === null ? null : { score: Math.abs(v - (sort.target ?? 0)), tie: v, id: game.id };
    }
  }
}

/** The score of {@link sortKey}; NaN when the sort leaves the game out. Never throws. */
export function sortScore(game: GameRecord, sort: GameSort): number {
  return sortKey(game, sort)?.score ?? Number.NaN;
}

/**
 * Validates a sort for the game types a query lists and returns it without parts the
 * field does not use. Throws BAD_USER_INPUT when LABEL/NEAREST names no label, a label
 * one of the types does not declare as a number, NEAREST lacks a finite target or asks
 * for DESC, or label/target are given to a field that does not use them.
 */
export function normalizeSort(sort: GameSort | null | undefined, types: readonly (GameTypeDef | undefined)[]): GameSort {
  const s = sort ?? DEFAULT_SORT;
  const direction = s.direction ?? SortDirection.ASC;
  const byLabel = s.field === SortField.LABEL || s.field === SortField.NEAREST;
  if (!byLabel) {
    if (s.label != null || s.target != null) throw badInput(`sort.label and sort.target apply to LABEL and NEAREST only, not ${s.field}.`);
    return { field: s.field, direction };
  }
  if (s.label == null || s.label === "") throw badInput(`sort.field ${s.field} needs sort.label: a declared numeric label.`);
  for (const t of types) {
    const kind = t?.labels[s.label];
    if (kind !== "number") {
      throw badInput(
        `Cannot sort by label "${s.label}": game type "${t?.id ?? "?"}" ` +
          (kind === "string" ? "declares it as a string label; only numeric labels sort." : "does not declare it (set filter.gameType to a type that does)."),
      );
    }
  }
  if (s.field === SortField.LABEL) {
    if (s.target != null) throw badInput("sort.target applies to NEAREST only.");
    return { field: s.field, direction, label: s.label };
  }
  if (s.target == null || !Number.isFinite(s.target)) throw badInput("sort.field NEAREST needs sort.target: a finite number.");
  if (direction !== SortDirection.ASC) throw badInput("NEAREST lists the closest games first; direction DESC is not supported.");
  return { field: s.field, direction, label: s.label, target: s.target };
}
