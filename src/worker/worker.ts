import type { Logger } from "pino";
import type { Metrics } from "../metrics.js";
import type { GameService } from "../service/game-service.js";
import { createEventHandler } from "./event-handler.js";
import type { EventStream } from "../stream/event-stream.js";
import { createStreamConsumer } from "./stream-consumer.js";
import { createSweeper } from "./sweeper.js";

export interface WorkerSettings {
  consumerName: string;
  batchSize: number;
  blockMs: number;
  /** The stream lease's lifetime without renewal: how soon a standby takes over from a dead worker. */
  leaseMs: number;
  maxDeliveries: number;
  sweepIntervalMs: number;
}

export interface WorkerDeps {
  service: GameService;
  stream: EventStream;
  settings: WorkerSettings;
  metrics: Metrics;
  logger: Logger;
}

/**
 * The event-stream consumer plus the expiry sweeper. start() creates the consumer group if
 * needed; the consumer then stands by until it holds the stream's lease (one active worker
 * per stream). stop() lets the batch in hand finish and be acknowledged, and releases the lease.
 */
export function createWorker({ service, stream, settings, metrics, logger }: WorkerDeps) {
  const log = logger.child({ component: "worker", consumer: settings.consumerName });
  const consumer = createStreamConsumer({
    stream,
    consumer: settings.consumerName,
    handle: createEventHandler(service, metrics, log),
    batchSize: settings.batchSize,
    blockMs: settings.blockMs,
    leaseMs: settings.leaseMs,
    maxDeliveries: settings.maxDeliveries,
    logger: log,
    onBatch: (stats) => {
      metrics.batchDuration.observe(stats.durationMs / 1_000);
      for (const [reason, n] of Object.entries(stats.deadReasons)) metrics.deadLetters.inc({ reason }, n);
    },
    onLease: (event) => metrics.leaseEvents.inc({ event }),
  });
  const sweeper = createSweeper({ service, intervalMs: settings.sweepIntervalMs, metrics, logger: log });
  metrics.streamGauges({ pending: () => stream.pendingCount(), lag: () => stream.lag(), active: () => consumer.lease !== null });
  let stopping: Promise<void> | null = null;

  return {
    consumer,
    sweeper,
    async start() {
      await stream.ensureGroup();
      consumer.start();
      sweeper.start();
      log.info({ stream: stream.key }, "worker consuming");
    },
    stop() {
      stopping ??= Promise.all([consumer.stop(), sweeper.stop()]).then(() => undefined);
      return stopping;
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;
