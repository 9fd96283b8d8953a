import type { GameFilter, GameState, LabelFilter, LobbyGameFragment } from "./generated/graphql.js";

const DEFAULT_STATES: readonly GameState[] = ["CREATED", "OPEN", "FULL", "IN_PROGRESS"];

const labelMatches = (value: unknown, f: LabelFilter): boolean => {
  if (value === undefined || value === null) return false;
  if (f.eq != null && String(value) !== f.eq) return false;
  if (f.ne != null && String(value) === f.ne) return false;
  const numeric = f.gt != null || f.gte != null || f.lt != null || f.lte != null || f.between != null;
  if (!numeric) return true;
  if (typeof value !== "number") return false;
  if (f.gt != null && !(value > f.gt)) return false;
  if (f.gte != null && !(value >= f.gte)) return false;
  if (f.lt != null && !(value < f.lt)) return false;
  if (f.lte != null && !(value <= f.lte)) return false;
  if (f.between != null && !(value >= f.between[0]! && value <= f.between[1]!)) return false;
  return true;
};

/**
 * Whether a game a change carries still belongs in a lobby listed with `filter` — the same
 * rules the server's `games(filter)` applies, so a live lobby drops a game that filled up or
 * ended without asking the server again.
 */
export function matchesFilter(game: LobbyGameFragment, filter: GameFilter | null | undefined): boolean {
  const f = filter ?? {};
  if (f.gameType != null && game.gameType.id !== String(f.gameType)) return false;
  if (!(f.states ?? DEFAULT_STATES).includes(game.state)) return false;
  if (game.visibility !== (f.visibility ?? "PUBLIC")) return false;
  if (f.minFreeSeats != null && game.freeSeats < f.minFreeSeats) return false;
  if (f.regions != null && (game.region === null || game.region === undefined || !f.regions.includes(game.region))) return false;
  if (!f.includeWaitingForHost && !game.hostConnected) return false;
  const labels = (game.labels ?? {}) as Record<string, unknown>;
  return (f.labels ?? []).every((l) => labelMatches(labels[l.key], l));
}
