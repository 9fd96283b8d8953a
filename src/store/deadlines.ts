import type { Catalog } from "../domain/game-type.js";
import type { GameRecord, GameState } from "../domain/game.js";

/** How long an event_id is remembered when the store options do not say (24 h). */
export const DEFAULT_EVENT_DEDUPE_MS = 86_400_000;

/**
 * How long a deleted game is remembered (both backends), so stream entries that still
 * arrive for it — a batch redelivered after a worker crash, a player disconnecting after
 * game_removed — are settled as "gone" instead of dead-lettered as unknown_game. An hour
 * covers any takeover; after that such entries are dead letters again.
 */
export const GAME_TOMBSTONE_MS = 3_600_000;

/**
 * How long the store keeps counting a player's live games (per type, for the cap on live
 * games per player) after it last counted them with any still live: a player whose games all
 * outlive a week without them trying to create another may create up to the cap again.
 */
export const CREATED_GAMES_TRACKED_MS = 7 * 86_400_000;

/** State timeouts of one game type in ms; empty for a type the catalog does not know. */
export type TimeoutsMs = Partial<Record<GameState, number>>;

/**
 * The catalog's `stateTimeouts` (seconds) of `gameType` in ms. A type missing from the
 * catalog (removed since its games were stored) gets no timeouts: its games then have
 * `expiresAt: null` and only seat reservations can fall due. Never throws.
 */
export function timeoutsMs(catalog: Catalog, gameType: string): TimeoutsMs {
  const def = catalog.get(gameType);
  if (!def) return {};
  const out: TimeoutsMs = {};
  for (const [state, seconds] of Object.entries(def.stateTimeouts) as [GameState, number][]) out[state] = seconds * 1_000;
  return out;
}

/** When a game in `state` expires after activity at `now`: null when the state has no timeout. Never throws. */
export function expiryAt(timeouts: TimeoutsMs, state: GameState, now: number): number | null {
  const t = timeouts[state];
  return t === undefined ? null : now + t;
}

/**
 * The game's earliest deadline: its `expiresAt` or the first reservation of an
 * unconfirmed seat. The creator's seat never counts: expiry never frees it, so a
 * deadline from it would keep the game due forever. Nor do reservations while the game
 * waits for its host: those players cannot connect before the host has (the clock starts
 * at creator_joined). null = nothing will fall due. Never throws.
 */
export function deadlineOf(g: Pick<GameRecord, "expiresAt" | "players" | "creatorId" | "hostConnected">): number | null {
  let d = g.expiresAt;
  if (!g.hostConnected) return d;
  for (const p of g.players) {
    if (p.confirmed || p.reservedUntil === null || p.id === g.creatorId) continue;
    if (d === null || p.reservedUntil < d) d = p.reservedUntil;
  }
  return d;
}

/**
 * A `result` as canonical JSON (keys sorted), so both backends can tell a repeated
 * game_over from a new result by comparing text. Never throws.
 */
export function resultText(result: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(result).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}
