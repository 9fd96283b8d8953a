import { ChangeKind, type GameChangeRecord, GameState } from "../domain/game.js";
import { ErrorCode, MatchmakerError } from "../domain/errors.js";
import { parseGameId } from "../domain/ids.js";
import { normalizeLabels } from "../domain/labels.js";
import { GameEvent, transitionTable } from "../domain/state-machine.js";
import type { EventEffect, GameRef } from "../store/game-store.js";
import { EventType, type GameServerEvent } from "../worker/game-events.js";
import type { ServiceContext } from "./service-context.js";

const SEAT_FREED = transitionTable(GameEvent.SEAT_FREED, { freeSeats: 1 });

/** The state machine event a state_change asks for. */
const STATE_EVENT: Partial<Record<GameState, GameEvent>> = {
  [GameState.OPEN]: GameEvent.CREATOR_JOINED,
  [GameState.FULL]: GameEvent.ALL_PLAYERS_JOINED,
  [GameState.IN_PROGRESS]: GameEvent.IN_PROGRESS,
  [GameState.ENDED]: GameEvent.ENDED,
};

export type EventApplication =
  | { status: "applied"; change: GameChangeRecord }
  | { status: "unchanged" | "duplicate" }
  /** game_removed for a game that is already gone: the effect holds, nothing to do. */
  | { status: "already_gone" };

export interface SweepResult {
  expired: number;
  seatsFreed: number;
}

/** Stream-driven changes and expiry: the worker's half of the GameService. */
export function createLifecycleOps(ctx: ServiceContext) {
  const { store, catalog, now, gameType, publish, bestEffort } = ctx;
  const { recentActivity } = ctx;

  /** The store effect of a game-server event; creator_joined may land on a game that already filled up. */
  function effectOf(e: GameServerEvent, type: ReturnType<typeof gameType>): EventEffect {
    switch (e.type) {
      case EventType.STATE_CHANGE: {
        const event = STATE_EVENT[e.newState]!;
        // The table depends on free seats only for creator_joined; the store picks the row by state.
        // Past the lobby every seated player is in the game: a server of the original generation
        // may never send player_connected, so reaching FULL, IN_PROGRESS or ENDED confirms them all.
        return { kind: "transition", table: transitionTable(event, { freeSeats: 1 }), confirmAll: e.newState !== GameState.OPEN };
      }
      case EventType.GAME_OVER:
        return { kind: "transition", table: transitionTable(GameEvent.GAME_OVER, { freeSeats: 1 }), result: e.result, confirmAll: true };
      case EventType.PLAYER_DISCONNECT:
        return { kind: "removePlayer", playerId: e.playerId, seatFreed: SEAT_FREED };
      case EventType.PLAYER_CONNECTED:
        return { kind: "confirmPlayer", playerId: e.playerId };
      case EventType.METADATA:
        return { kind: "mergeLabels", labels: normalizeLabels(e.labels, type) };
      default:
        return { kind: "touch" };
    }
  }

  /** The game an event names; GAME_NOT_FOUND for an id that is not ours or of another type. */
  function refOf(gameId: string, typeId: string): GameRef {
    let ref: GameRef;
    try {
      ref = parseGameId(gameId);
    } catch {
      throw new MatchmakerError(ErrorCode.GAME_NOT_FOUND, `"${gameId}" is not a game id this matchmaker issued.`);
    }
    if (ref.gameType !== typeId) {
      throw new MatchmakerError(ErrorCode.GAME_NOT_FOUND, `Game "${gameId}" does not belong to game type "${typeId}".`);
    }
    return ref;
  }

  return {
    /**
     * Activity-only events (gameplay, heartbeat) of one game type, in one store call:
     * repeating one changes nothing, so they need no event_id bookkeeping. Resolves to one
     * flag per game id (false: no such game); rejects with UNKNOWN_GAME_TYPE or BACKEND_UNAVAILABLE.
     */
    async recordActivity(gameTypeId: string, gameIds: readonly string[]): Promise<boolean[]> {
      const type = gameType(gameTypeId);
      const t = now();
      const due: string[] = [];
      const slots = gameIds.map((id) => {
        try {
          refOf(id, type.id);
        } catch {
          return -1;
        }
        if (recentActivity.fresh(id, t)) return -2;
        due.push(id);
        return due.length - 1;
      });
      const found = await store.recordActivity(type.id, due, t);
      found.forEach((ok, i) => (ok ? recentActivity.mark(due[i]!, t) : recentActivity.forget(due[i]!)));
      return slots.map((i) => i === -2 || (i >= 0 && found[i]!));
    },

    /**
     * Applies one game-server event through the store and publishes what changed.
     * Rejects with UNKNOWN_GAME_TYPE, GAME_NOT_FOUND (also for an id of another type),
     * INVALID_TRANSITION, BAD_USER_INPUT (unusable metadata) or BACKEND_UNAVAILABLE.
     */
    async applyGameEvent(e: GameServerEvent): Promise<EventApplication> {
      const type = gameType(e.gameType);
      const ref = refOf(e.gameId, type.id);
      if (e.type === EventType.GAME_REMOVED) {
        try {
          return { status: "applied", change: await publish(await store.delete({ ref, actor: null, now: now() })) };
        } catch (err) {
          if (err instanceof MatchmakerError && err.code === ErrorCode.GAME_NOT_FOUND) return { status: "already_gone" };
          throw err;
        }
      }
      const outcome = await store.applyEvent({ ref, effect: effectOf(e, type), eventId: e.eventId, now: now() });
      if (outcome.status === "applied") await publish(outcome.change);
      return outcome;
    },

    /**
     * One sweep of one game type: frees expired seat reservations (remove_player) and
     * deletes games past their state timeout (remove_game), publishing each change.
     * Safe to run in several workers at once: the store expires each game once.
     */
    async sweepExpired(gameTypeId: string, limit = 100): Promise<SweepResult> {
      const type = gameType(gameTypeId);
      const result: SweepResult = { expired: 0, seatsFreed: 0 };
      const t = now();
      for (const id of await store.dueGames(type.id, t, limit)) {
        const outcome = await store.expire({ gameType: type.id, id }, t, SEAT_FREED);
        if (!outcome) continue;
        await publish(outcome.change);
        // A slow or dead game server must not hold up expiry of every other game.
        if (outcome.change.kind === ChangeKind.DELETED) {
          result.expired += 1;
          ctx.inBackground(bestEffort("remove_game", type, (c) => c.removeGame(type, id)));
        }
        for (const playerId of outcome.freedPlayers) {
          result.seatsFreed += 1;
          ctx.inBackground(bestEffort("remove_player", type, (c) => c.removePlayer(type, id, playerId)));
        }
      }
      return result;
    },

    gameTypeIds: () => catalog.types.map((t) => t.id),
  };
}
