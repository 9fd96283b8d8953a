import type { Logger } from "pino";
import type { ChangeBus } from "../bus/change-bus.js";
import { ErrorCode, MatchmakerError } from "../domain/errors.js";
import { ChangeKind, type GameChangeRecord } from "../domain/game.js";
import type { Catalog, GameTypeDef } from "../domain/game-type.js";
import { parseGameId } from "../domain/ids.js";
import type { GameServerClient } from "../gameserver/game-server-client.js";
import type { ControlCall, GameRef, GameStore } from "../store/game-store.js";
import { outboxHoldMs } from "../store/outbox-backoff.js";
import type { EventStream } from "../stream/event-stream.js";

export interface GameServiceDeps {
  store: GameStore;
  bus: ChangeBus;
  catalog: Catalog;
  gameServers: GameServerClient;
  /** Where reportGameEvents appends (the same stream game servers XADD to). */
  stream: EventStream;
  /** Returns settings with defaults applied; throws BAD_USER_INPUT. */
  validateSettings: (type: GameTypeDef, input: unknown) => Record<string, unknown>;
  logger: Logger;
  now?: () => number;
  /**
   * After a create_game timeout the server may still create the game later; a second
   * remove_game this long after the first catches that (default: 4 × 3 s).
   */
  lateCompensationMs?: number;
  /**
   * How long a join waits for a game that quickJoin stored before its game server
   * created it (until its token is stored), in ms (default 10 s); then GAME_SERVER_UNAVAILABLE.
   */
  creationWaitMs?: number;
  /** Activity (gameplay, heartbeat) within this interval of the last one recorded for a game is not written again. */
  activityResolutionMs?: number;
  /** Counts control calls that failed after the player's change was kept (best-effort calls). */
  onGameServerFailure?: (call: string, type: string) => void;
  /** Counts control calls the outbox gave up on (the server did not take them for OUTBOX_GIVE_UP_MS). */
  onGameServerCallAbandoned?: (call: string, type: string) => void;
  /** The longest one control call may take with its retries (each timing out), in ms; default 10 s. */
  gameServerCallMs?: number;
  /** Most live games one player may have created of one type (0 or absent: no cap); admins are not capped. */
  maxLiveGamesPerPlayer?: number;
}

/**
 * Activity a game recorded within the last `resolutionMs` needs no new write: expiry
 * timeouts are tens of seconds or more, so a game's deadline may be up to
 * `resolutionMs` early, while a busy game costs one write per interval instead of one
 * per gameplay event. Entries older than the interval are dropped as the map is used.
 */
export function createActivityCache(resolutionMs: number) {
  const seen = new Map<string, number>();
  let sweptAt = 0;
  return {
    fresh(id: string, t: number): boolean {
      if (t - sweptAt > resolutionMs) {
        for (const [k, at] of seen) if (t - at >= resolutionMs) seen.delete(k);
        sweptAt = t;
      }
      const at = seen.get(id);
      return at !== undefined && t - at < resolutionMs && t >= at;
    },
    mark: (id: string, t: number) => void seen.set(id, t),
    forget: (id: string) => void seen.delete(id),
  };
}

/** What every part of the GameService shares: lookups, publishing, best-effort server calls. */
export function createServiceContext(deps: GameServiceDeps) {
  const { catalog, logger, bus } = deps;

  const gameType = (id: string): GameTypeDef => {
    const t = catalog.get(id);
    if (!t) {
      throw new MatchmakerError(
        ErrorCode.UNKNOWN_GAME_TYPE,
        `Unknown game type "${id}". Known types: ${catalog.types.map((x) => x.id).join(", ")}.`,
      );
    }
    return t;
  };

  const now = deps.now ?? Date.now;
  /** How long this process's own attempt at a call may take (every retry timing out), before a worker steps in. */
  const ownAttemptMs = (deps.gameServerCallMs ?? 10_000) + 1_000;

  /** Sends one control call (the client's retries included); rejects with GAME_SERVER_*. */
  const send = (type: GameTypeDef, c: ControlCall): Promise<void> =>
    c.call === "remove_game" ? deps.gameServers.removeGame(type, c.gameId) : deps.gameServers.removePlayer(type, c.gameId, c.playerId!);

  /** Keeps `c` in the outbox for the workers, due at `dueAt`; null when even that failed (logged). */
  async function keep(c: ControlCall, dueAt: number): Promise<string | null> {
    try {
      return await deps.store.scheduleControl(c, dueAt, now());
    } catch (err) {
      logger.error({ err, call: c.call, gameId: c.gameId }, "could not keep a game-server call for later; the game server's own expiry must clean up");
      return null;
    }
  }

  /**
   * A control call after a local change that is already kept (a leave, a delete, an expiry):
   * sent now; when the game server does not take it, kept in the outbox, where a worker
   * retries it until it does. Never throws.
   */
  async function bestEffort(type: GameTypeDef, c: Omit<ControlCall, "gameType">): Promise<void> {
    if (!deps.gameServers.hasServer(type)) return;
    const call = { ...c, gameType: type.id };
    try {
      await send(type, call);
    } catch (err) {
      logger.warn({ err, call: c.call, gameType: type.id }, "game server control call failed; local change kept, the call is retried by a worker");
      deps.onGameServerFailure?.(c.call, type.id);
      await keep(call, now() + outboxHoldMs(1));
    }
  }

  const recentActivity = createActivityCache(deps.activityResolutionMs ?? 1_000);
  const inFlight = new Set<Promise<void>>();

  return {
    ...deps,
    bestEffort,
    recentActivity,

    /** Runs a best-effort call without holding up the caller (the sweeper); drain() waits for it. */
    inBackground(call: Promise<void>): void {
      inFlight.add(call);
      void call.finally(() => inFlight.delete(call));
    },

    /** Waits for background control calls (at shutdown). */
    async drain(): Promise<void> {
      await Promise.allSettled([...inFlight]);
    },
    now,
    gameType,
    send,
    /** The cap on live games `actor` may have created of one type, as the store takes it (0: none). */
    liveGamesCap: (actor: { admin: boolean }): number => (actor.admin ? 0 : (deps.maxLiveGamesPerPlayer ?? 0)),
    /** How long one control call can take with its retries: an outbox call is held at least this long per attempt. */
    oneCallMs: ownAttemptMs,

    /** Malformed ids are BAD_USER_INPUT; well-formed ids of unknown types simply do not exist. */
    ref(id: string): GameRef {
      const r = parseGameId(id);
      if (!catalog.get(r.gameType)) throw new MatchmakerError(ErrorCode.GAME_NOT_FOUND, `Game "${id}" does not exist.`);
      return r;
    },

    /** Publishes exactly the stored change; a lost message is logged, not fatal (watchers resync by version). */
    async publish(change: GameChangeRecord): Promise<GameChangeRecord> {
      // Activity for a game this process removed must not be taken as recorded.
      if (change.kind === ChangeKind.DELETED) recentActivity.forget(change.gameId);
      try {
        await bus.publish(change);
      } catch (err) {
        logger.error({ err, gameId: change.gameId, version: change.version }, "publishing a game change failed");
      }
      return change;
    },

    /**
     * Undoes a create_game that failed, without making the player wait for it: remove_game
     * is kept in the outbox first (it survives this process), then tried here in the
     * background; a worker sends it if that attempt does not get through, and once more
     * `lateCompensationMs` later, in case a slow server creates the game after we gave up.
     * Waits only for the outbox writes. Never throws.
     */
    async removeGameLater(type: GameTypeDef, gameId: string): Promise<void> {
      if (!deps.gameServers.hasServer(type)) return;
      const call: ControlCall = { gameType: type.id, call: "remove_game", gameId, playerId: null };
      const t = now();
      const [first] = await Promise.all([keep(call, t + ownAttemptMs), keep(call, t + (deps.lateCompensationMs ?? 12_000))]);
      void send(type, call).then(
        () => (first ? deps.store.completeControl(type.id, first).catch(() => undefined) : undefined),
        (err: unknown) => logger.warn({ err, gameId }, "remove_game after a failed creation did not get through; a worker retries it"),
      );
    },
  };
}

export type ServiceContext = ReturnType<typeof createServiceContext>;
