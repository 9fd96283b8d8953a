import type { Logger } from "pino";
import type { Metrics } from "../metrics.js";
import type { GameService } from "../service/game-service.js";

export interface StreamWatchDeps {
  service: GameService;
  metrics: Metrics;
  logger: Logger;
  /** Where the stream is read from, for the warnings (stream key, Redis, database). */
  where: string;
  /** Looks for the stream elsewhere at start-up; resolves to a warning to log, or null. */
  probe?: () => Promise<string | null>;
}

/** At most one warning per game type this often: a misconfiguration expires games all the time. */
const WARN_EVERY_MS = 60_000;

/**
 * Notices a worker reading its stream from the wrong place (the original deployment kept
 * the stream in Redis database 1): no game server's entry ever arrives, and every hosted
 * game expires in CREATED with its players kicked. Records which game types' entries were
 * seen (once per type and process), counts hosted games that expired before their host
 * connected, and warns — naming the stream, its Redis and database — when such games
 * expire while no entry of their type was ever read. Never throws.
 */
export function createStreamWatch({ service, metrics, logger, where, probe }: StreamWatchDeps) {
  const marked = new Set<string>();
  const warnedAt = new Map<string, number>();

  return {
    /** The game types of a batch's entries (only catalog types: producers' strings never become keys). */
    async sawTypes(types: Iterable<string>): Promise<void> {
      for (const type of types) {
        if (marked.has(type) || !service.gameType(type)) continue;
        try {
          await service.markStreamSeen(type);
          marked.add(type);
        } catch {
          // The store is away: the next batch marks it.
        }
      }
    },

    /** `n` hosted games of `type` expired before their host connected. */
    async expiredWaitingForHost(type: string, n: number): Promise<void> {
      const seen = marked.has(type) || (await service.streamSeen(type).catch(() => true));
      metrics.expiredBeforeHost.inc({ game_type: type, stream_seen: String(seen) }, n);
      if (seen) return;
      const now = Date.now();
      if (now - (warnedAt.get(type) ?? -Infinity) < WARN_EVERY_MS) return;
      warnedAt.set(type, now);
      logger.warn(
        { gameType: type, expired: n, stream: where },
        `Hosted games of "${type}" keep expiring before their host connected, and no stream entry of "${type}" ` +
          `has ever been read from ${where}. Game servers may write their events elsewhere: servers of the original ` +
          "generation write the stream in Redis database 1 while the games live in database 0 — point " +
          "EVENT_STREAM_REDIS_URL at it (e.g. redis://host:6379/1).",
      );
    },

    /** Logs the start-up probe's finding, if any. */
    async checkAtStart(): Promise<void> {
      const warning = await probe?.().catch(() => null);
      if (warning) logger.warn({ stream: where }, warning);
    },
  };
}

export type StreamWatch = ReturnType<typeof createStreamWatch>;
