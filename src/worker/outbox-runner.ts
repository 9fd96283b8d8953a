import type { Logger } from "pino";
import type { Metrics } from "../metrics.js";
import type { GameService } from "../service/game-service.js";
import { createPeriodic, type Periodic } from "./periodic.js";

/**
 * Sends the game-server outbox's due calls (see GameService.runDueControls) every
 * `intervalMs`, on its own loop so a game server that does not answer never holds up expiry.
 */
export function createOutboxRunner(opts: { service: GameService; intervalMs: number; metrics: Metrics; logger: Logger }): Periodic & {
  runOnce(): Promise<{ sent: number; abandoned: number }>;
} {
  const { service, metrics, logger } = opts;
  async function runOnce() {
    const total = { sent: 0, abandoned: 0 };
    for (const type of service.gameTypeIds()) {
      const r = await service.runDueControls(type);
      total.sent += r.sent;
      total.abandoned += r.abandoned;
    }
    if (total.sent) metrics.outboxSent.inc(total.sent);
    return total;
  }
  // Stopping abandons a pass in progress: its calls stay in the outbox and come round again.
  const loop = createPeriodic(runOnce, opts.intervalMs, (err) => logger.warn({ err }, "game-server outbox pass failed; retrying next interval"), {
    awaitOnStop: false,
  });
  return { runOnce, start: loop.start, stop: loop.stop };
}
