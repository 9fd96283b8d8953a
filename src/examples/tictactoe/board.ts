/** Tic-tac-toe rules, nothing else: a board of 9 cells, X moves first. */

export type Mark = "X" | "O";
export type Cell = Mark | null;

const LINES = [
  [0, 1, 2], [3, 4, 5], [6, 7, 8],
  [0, 3, 6], [1, 4, 7], [2, 5, 8],
  [0, 4, 8], [2, 4, 6],
] as const;

export interface Board {
  cells: Cell[];
  next: Mark;
}

export const newBoard = (): Board => ({ cells: Array<Cell>(9).fill(null), next: "X" });

/** Why `cell` cannot be played by `mark` now, or null. Never throws. */
export function moveRefusal(b: Board, mark: Mark, cell: unknown): string | null {
  if (mark !== b.next) return "not your turn";
  if (typeof cell !== "number" || !Number.isInteger(cell) || cell < 0 || cell > 8) return "cell must be 0-8";
  if (b.cells[cell] !== null) return "cell taken";
  return null;
}

/** Plays a move moveRefusal accepted; returns the winner, "draw", or null while the game goes on. */
export function play(b: Board, cell: number): Mark | "draw" | null {
  b.cells[cell] = b.next;
  b.next = b.next === "X" ? "O" : "X";
  for (const [x, y, z] of LINES) {
    const m = b.cells[x];
    if (m && m === b.cells[y] && m === b.cells[z]) return m;
  }
  return b.cells.every((c) => c !== null) ? "draw" : null;
}
