import type { GameRecord } from "../../domain/game.js";
import { resultText } from "../deadlines.js";
import type { EventEffect, HostTables, StateTable } from "../game-store.js";
import { storeErrors } from "../store-errors.js";

/** The rows of `tables` that apply to `g`: whether its host has connected decides. Never throws. */
export const rowsFor = (g: Pick<GameRecord, "hostConnected">, tables: HostTables): StateTable =>
  g.hostConnected ? tables.host : tables.waiting;

/**
 * Removes the seats of `playerIds` and applies the seatFreed tables. The caller bumps
 * the version and records activity. Never throws.
 */
export function freeSeatsOf(g: GameRecord, playerIds: readonly string[], seatFreed: HostTables): void {
  const gone = new Set(playerIds);
  g.players = g.players.filter((p) => !gone.has(p.id));
  g.state = rowsFor(g, seatFreed)[g.state] ?? g.state;
}

/**
 * Applies one event's effect to `g` in place (GameLifecycleStore.applyEvent semantics)
 * and answers whether anything visible changed; the caller bumps the version and
 * records activity. Throws INVALID_TRANSITION before touching `g` for an illegal move.
 */
export function applyEffect(g: GameRecord, effect: EventEffect, now: number): boolean {
  switch (effect.kind) {
    case "transition": {
      const to = effect.table[g.state];
      if (to === undefined) throw storeErrors.invalidTransition(g.id, g.state, effect.table);
      let changed = to !== g.state;
      g.state = to;
      if (!g.hostConnected) {
        // Only now can the other players connect: their reservations start here.
        g.hostConnected = true;
        for (const p of g.players) if (!p.confirmed) p.reservedUntil = now + effect.reservationMs;
        changed = true;
      }
      if (effect.result !== undefined && (g.result === null || resultText(g.result) !== resultText(effect.result))) {
        g.result = { ...effect.result };
        changed = true;
      }
      if (effect.confirmAll) {
        for (const p of g.players) {
          if (p.confirmed) continue;
          p.confirmed = true;
          p.reservedUntil = null;
          changed = true;
        }
      }
      return changed;
    }
    case "removePlayer": {
      // The creator's seat is never freed by a disconnect: the game goes instead, when it expires.
      if (effect.playerId === g.creatorId || !g.players.some((p) => p.id === effect.playerId)) return false;
      if (rowsFor(g, effect.seatFreed)[g.state] === undefined) return false;
      freeSeatsOf(g, [effect.playerId], effect.seatFreed);
      return true;
    }
    case "confirmPlayer": {
      const p = g.players.find((q) => q.id === effect.playerId);
      if (!p || p.confirmed) return false;
      p.confirmed = true;
      p.reservedUntil = null;
      return true;
    }
    case "mergeLabels": {
      const changed = Object.entries(effect.labels).some(([k, v]) => !Object.hasOwn(g.labels, k) || g.labels[k] !== v);
      // Spreading creates own properties, so even a label named "__proto__" is stored as data.
      if (changed) g.labels = { ...g.labels, ...effect.labels };
      return changed;
    }
    case "touch":
      return false;
    default:
      // A kind this build does not know (events-n.lua raises the same), before any write.
      throw new Error(`unknown event effect ${String((effect as { kind: unknown }).kind)}`);
  }
}
