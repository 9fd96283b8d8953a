import type { Logger } from "pino";
import type { Metrics } from "../metrics.js";
import type { GameService } from "../service/game-service.js";
import { createPeriodic } from "./periodic.js";

export interface Sweeper {
  start(): void;
  /** Waits for a sweep in progress; idempotent. */
  stop(): Promise<void>;
  /** One pass over every game type (used by the loop, and by tests with a controlled clock). */
  sweepOnce(): Promise<{ expired: number; seatsFreed: number }>;
}

/**
 * Expires stale games and unconfirmed seats every `intervalMs`. Several workers may
 * sweep at once: the store re-checks each deadline atomically, so each expiry happens once.
 */
export function createSweeper(opts: {
  service: GameService;
  intervalMs: number;
  metrics: Metrics;
  logger: Logger;
  /** Told how many hosted games of a type expired before their host connected. */
  onExpiredWaitingForHost?: (type: string, n: number) => Promise<void>;
}): Sweeper {
  const { service, metrics, logger } = opts;

  async function sweepOnce() {
    const total = { expired: 0, seatsFreed: 0 };
    for (const type of service.gameTypeIds()) {
      // Drain in pages so a backlog after downtime is cleared in one pass without one huge read.
      for (;;) {
        const r = await service.sweepExpired(type, 100);
        if (r.expiredWaitingForHost > 0) await opts.onExpiredWaitingForHost?.(type, r.expiredWaitingForHost);
        total.expired += r.expired;
        total.seatsFreed += r.seatsFreed;
        if (r.expired + r.seatsFreed < 100) break;
      }
    }
    if (total.expired) metrics.expired.inc({ what: "game" }, total.expired);
    if (total.seatsFreed) metrics.expired.inc({ what: "seat" }, total.seatsFreed);
    return total;
  }

  const loop = createPeriodic(sweepOnce, opts.intervalMs, (err) => logger.warn({ err }, "expiry sweep failed; retrying next interval"));
  return { sweepOnce, start: loop.start, stop: loop.stop };
}
