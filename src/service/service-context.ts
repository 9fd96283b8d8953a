import type { Logger } from "pino";
import type { ChangeBus } from "../bus/change-bus.js";
import { ErrorCode, MatchmakerError } from "../domain/errors.js";
import { ChangeKind, type GameChangeRecord } from "../domain/game.js";
import type { Catalog, GameTypeDef } from "../domain/game-type.js";
import { parseGameId } from "../domain/ids.js";
import type { GameServerClient } from "../gameserver/game-server-client.js";
import type { GameRef, GameStore } from "../store/game-store.js";
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

  async function bestEffort(call: string, type: GameTypeDef, fn: (c: GameServerClient) => Promise<void>): Promise<void> {
    if (!deps.gameServers.hasServer(type)) return;
    try {
      await fn(deps.gameServers);
    } catch (err) {
      logger.warn({ err, call, gameType: type.id }, "game server control call failed; local change kept");
      deps.onGameServerFailure?.(call, type.id);
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
    now: deps.now ?? Date.now,
    gameType,

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
     * Undoes a create_game whose answer we did not get: now, and once more later in case
     * the server was merely slow and creates the game after we gave up (in-process timer:
     * a crash in between leaves the server's own expiry to clean up).
     */
    async removeGameEventually(type: GameTypeDef, gameId: string): Promise<void> {
      await bestEffort("remove_game", type, (c) => c.removeGame(type, gameId));
      setTimeout(() => void bestEffort("remove_game", type, (c) => c.removeGame(type, gameId)), deps.lateCompensationMs ?? 12_000).unref();
    },
  };
}

export type ServiceContext = ReturnType<typeof createServiceContext>;
