import { ChangeKind, type GameChangeRecord, GameState } from "../domain/game.js";
import { ErrorCode, MatchmakerError } from "../domain/errors.js";
import { parseGameId } from "../domain/ids.js";
import { normalizeLabels } from "../domain/labels.js";
import { GameEvent, hostTables, transitionTable } from "../domain/state-machine.js";
import { type ActivityOutcome, type EventCommand, type EventEffect, EventHeldError, type GameRef } from "../store/game-store.js";
import { EventType, type GameServerEvent } from "../domain/game-events.js";
import type { ServiceContext } from "./service-context.js";
import { SEAT_FREED } from "./seating.js";
import { OUTBOX_GIVE_UP_MS, OUTBOX_MAX_REFUSALS } from "../store/outbox-backoff.js";

const DISCONNECTED = hostTables(GameEvent.PLAYER_DISCONNECTED, 1);
// Server events mean the host is there; creator_joined's row for CREATED depends on free
// seats, but a CREATED game always has one (it turns FULL when its seats are taken).
const SERVER_CTX = { freeSeats: 1, hostConnected: true };

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
  /** The game was deleted meanwhile (or game_removed found it gone): nothing left to apply. */
  | { status: "gone" };

export interface SweepResult {
  expired: number;
  seatsFreed: number;
  /** Of the expired: hosted games whose host never connected (no creator_joined ever arrived). */
  expiredWaitingForHost: number;
}

/** Stream-driven changes and expiry: the worker's half of the GameService. */
export function createLifecycleOps(ctx: ServiceContext) {
  const { store, catalog, now, gameType, publish, bestEffort } = ctx;
  const { recentActivity } = ctx;

  /** The store effect of a game-server event; creator_joined may land on a game that already filled up. */
  function effectOf(e: GameServerEvent, type: ReturnType<typeof gameType>): EventEffect {
    const reservationMs = type.seatReservationSeconds * 1_000;
    switch (e.type) {
      case EventType.STATE_CHANGE: {
        const event = STATE_EVENT[e.newState]!;
        // Past the lobby every seated player is in the game: a server of the original generation
        // may never send player_connected, so reaching FULL, IN_PROGRESS or ENDED confirms them all.
        return { kind: "transition", table: transitionTable(event, SERVER_CTX), confirmAll: e.newState !== GameState.OPEN, reservationMs };
      }
      case EventType.GAME_OVER:
        return { kind: "transition", table: transitionTable(GameEvent.GAME_OVER, SERVER_CTX), result: e.result, confirmAll: true, reservationMs };
      case EventType.PLAYER_DISCONNECT:
        return { kind: "removePlayer", playerId: e.playerId, seatFreed: DISCONNECTED };
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

  /**
   * Applies one game-server event through the store and publishes what changed.
   * `entryId` is its stream position: an entry at or before the last one the game applied
   * is a duplicate (a redelivery), so each entry takes effect once and in stream order.
   * Rejects with UNKNOWN_GAME_TYPE, GAME_NOT_FOUND (also for an id of another type),
   * INVALID_TRANSITION, BAD_USER_INPUT (unusable metadata) or BACKEND_UNAVAILABLE.
   */
  async function applyGameEvent(e: GameServerEvent, entryId: string | null = null): Promise<EventApplication> {
    const type = gameType(e.gameType);
    const ref = refOf(e.gameId, type.id);
    if (e.type === EventType.GAME_REMOVED) {
      try {
        return { status: "applied", change: await publish(await store.delete({ ref, actor: null, now: now() })) };
      } catch (err) {
        if (err instanceof MatchmakerError && err.code === ErrorCode.GAME_NOT_FOUND) return { status: "gone" };
        throw err;
      }
    }
    const outcome = await store.applyEvent({ ref, effect: effectOf(e, type), eventId: e.eventId, entryId, now: now() });
    if (outcome.status === "applied") await publish(outcome.change);
    if (outcome.status !== "replayed") return outcome;
    // Published once more: the change may never have gone out (at least once, same version).
    await publish(outcome.change);
    return { status: "duplicate" };
  }
  return {
    /**
     * Activity-only events (gameplay, heartbeat) of one game type, in one store call:
     * repeating one changes nothing, so they need no event_id bookkeeping. Resolves to one
     * outcome per game id (an id that is not ours is missing); rejects with
     * UNKNOWN_GAME_TYPE or BACKEND_UNAVAILABLE.
     */
    async recordActivity(gameTypeId: string, gameIds: readonly string[]): Promise<ActivityOutcome[]> {
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
      found.forEach((o, i) => (o === "recorded" ? recentActivity.mark(due[i]!, t) : recentActivity.forget(due[i]!)));
      return slots.map((i) => (i === -2 ? "recorded" : i >= 0 ? found[i]! : "missing"));
    },

    applyGameEvent,

    /**
     * applyGameEvent for a batch of stream entries (the worker's), in one store call per
     * ~100 events of a type instead of one per event; each game's events in the order given.
     * One settled result per item, in order; never rejects. A result is rejected with what
     * applyGameEvent would reject with, or with EventHeldError for an event held back behind
     * an earlier one of its game that failed (retry both, in order). Games with a
     * game_removed in the batch go one event at a time (removal is the delete script).
     */
    async applyGameEvents(
      items: readonly { event: GameServerEvent; entryId: string | null }[],
    ): Promise<PromiseSettledResult<EventApplication>[]> {
      const out: PromiseSettledResult<EventApplication>[] = new Array(items.length);
      const removing = new Set(items.filter((it) => it.event.type === EventType.GAME_REMOVED).map((it) => it.event.gameId));
      const one = new Map<string, number[]>();
      const batch: number[] = [];
      const cmds: EventCommand[] = [];
      const t = now();
      items.forEach(({ event: e, entryId }, i) => {
        if (removing.has(e.gameId)) {
          const list = one.get(e.gameId);
          if (list) list.push(i);
          else one.set(e.gameId, [i]);
          return;
        }
        try {
          const type = gameType(e.gameType);
          cmds.push({ ref: refOf(e.gameId, type.id), effect: effectOf(e, type), eventId: e.eventId, entryId, now: t });
          batch.push(i);
        } catch (err) {
          out[i] = { status: "rejected", reason: err };
        }
      });
      // Each change goes out as soon as its part of the batch is applied, in order per game.
      const applied = store.applyEvents(cmds).map(async (pending, k) => {
        const i = batch[k]!;
        try {
          const outcome = await pending;
          if (outcome.status === "applied" || outcome.status === "replayed") await publish(outcome.change);
          // A replayed change is published once more (at least once, same version).
          out[i] = { status: "fulfilled", value: outcome.status === "replayed" ? { status: "duplicate" } : outcome };
        } catch (err) {
          out[i] = { status: "rejected", reason: err };
        }
      });
      const singly = [...one.values()].map(async (indexes) => {
        let held = false;
        for (const i of indexes) {
          const { event: e, entryId } = items[i]!;
          if (held) {
            out[i] = { status: "rejected", reason: new EventHeldError(e.gameId) };
            continue;
          }
          try {
            out[i] = { status: "fulfilled", value: await applyGameEvent(e, entryId) };
          } catch (err) {
            out[i] = { status: "rejected", reason: err };
            // Even after a refusal: the rest then waits one retry round, never runs ahead of a retry.
            held = true;
          }
        }
      });
      await Promise.all([...applied, ...singly]);
      return out;
    },

    /**
     * One sweep of one game type: frees expired seat reservations (remove_player) and
     * deletes games past their state timeout (remove_game), publishing each change.
     * Safe to run in several workers at once: the store expires each game once.
     */
    async sweepExpired(gameTypeId: string, limit = 100): Promise<SweepResult> {
      const type = gameType(gameTypeId);
      const result: SweepResult = { expired: 0, seatsFreed: 0, expiredWaitingForHost: 0 };
      const t = now();
      for (const id of await store.dueGames(type.id, t, limit)) {
        const outcome = await store.expire({ gameType: type.id, id }, t, SEAT_FREED);
        if (!outcome) continue;
        await publish(outcome.change);
        // A slow or dead game server must not hold up expiry of every other game.
        if (outcome.change.kind === ChangeKind.DELETED) {
          result.expired += 1;
          if (!outcome.change.game.hostConnected) result.expiredWaitingForHost += 1;
          ctx.inBackground(bestEffort(type, { call: "remove_game", gameId: id, playerId: null }));
        }
        for (const playerId of outcome.freedPlayers) {
          result.seatsFreed += 1;
          ctx.inBackground(bestEffort(type, { call: "remove_player", gameId: id, playerId }));
        }
      }
      return result;
    },

    /**
     * Sends the outbox's due control calls of one type (remove_game after a failed creation,
     * calls a game server did not take the first time) and drops each one the server took,
     * refused OUTBOX_MAX_REFUSALS times, or has not taken for OUTBOX_GIVE_UP_MS (those two
     * logged and counted). A remove_player whose player is seated in the game again (they
     * re-joined since) is dropped unsent: it would kick them. Safe in several workers at once:
     * a call handed out is held back from the others for as long as one attempt can take.
     * Rejects with UNKNOWN_GAME_TYPE or BACKEND_UNAVAILABLE.
     */
    async runDueControls(gameTypeId: string, limit = 50): Promise<{ sent: number; abandoned: number }> {
      const type = gameType(gameTypeId);
      const t = now();
      const result = { sent: 0, abandoned: 0 };
      const due = await store.takeDueControls(type.id, t, limit, ctx.oneCallMs);
      await Promise.all(
        due.map(async (c) => {
          try {
            if (c.call === "remove_player" && (await store.get({ gameType: type.id, id: c.gameId }))?.players.some((p) => p.id === c.playerId)) {
              await store.completeControl(type.id, c.id);
              return;
            }
            if (ctx.gameServers.hasServer(type)) await ctx.send(type, c);
            await store.completeControl(type.id, c.id);
            result.sent += 1;
          } catch (err) {
            const refused = err instanceof MatchmakerError && err.code === ErrorCode.GAME_SERVER_REJECTED;
            if (!refused && t - c.since < OUTBOX_GIVE_UP_MS) {
              ctx.logger.warn({ err, call: c.call, gameId: c.gameId, attempts: c.attempts }, "game-server call still not taken; retrying later");
              return;
            }
            if (refused && c.attempts < OUTBOX_MAX_REFUSALS) {
              ctx.logger.warn({ err, call: c.call, gameId: c.gameId, attempts: c.attempts }, "the game server refused a call; retrying a few times");
              return;
            }
            await store.completeControl(type.id, c.id).catch(() => undefined);
            result.abandoned += 1;
            ctx.onGameServerCallAbandoned?.(c.call, type.id);
            ctx.logger.error({ err, call: c.call, gameId: c.gameId, attempts: c.attempts }, "game-server call given up");
          }
        }),
      );
      return result;
    },

    gameTypeIds: () => catalog.types.map((t) => t.id),

    /** See GameLifecycleStore.markStreamSeen; rejects with BACKEND_UNAVAILABLE. */
    markStreamSeen: (gameTypeId: string) => store.markStreamSeen(gameTypeId, now()),
    /** Whether any worker ever read a stream entry of the type; rejects with BACKEND_UNAVAILABLE. */
    streamSeen: (gameTypeId: string) => store.streamSeen(gameTypeId),
  };
}
