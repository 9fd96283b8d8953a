import type { Logger } from "pino";
import type { Metrics } from "../metrics.js";
import type { GameService } from "../service/game-service.js";
import { createEventHandler } from "./event-handler.js";
import type { EventStream } from "../stream/event-stream.js";
import { createStreamConsumer } from "./stream-consumer.js";
import { createStreamWatch } from "./stream-watch.js";
import { createOutboxRunner } from "./outbox-runner.js";
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
  /** Where the stream is read from, for warnings (stream key, Redis, database). */
  streamWhere?: string;
  /** Looks for the stream in the wrong place at start-up; resolves to a warning, or null. */
  streamProbe?: () => Promise<string | null>;
}

/**
 * The event-stream consumer plus the expiry sweeper. start() creates the consumer group if
 * needed; the consumer then stands by until it holds the stream's lease (one active worker
 * per stream). stop() lets the batch in hand finish and be acknowledged, and releases the lease.
 */
export function createWorker({ service, stream, settings, metrics, logger, streamWhere, streamProbe }: WorkerDeps) {
  const log = logger.child({ component: "worker", consumer: settings.consumerName });
  const watch = createStreamWatch({ service, metrics, logger: log, where: streamWhere ?? `stream "${stream.key}"`, probe: streamProbe });
  const consumer = createStreamConsumer({
    stream,
    consumer: settings.consumerName,
    handle: createEventHandler(service, metrics, log, (types) => watch.sawTypes(types)),
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
  const sweeper = createSweeper({
    service,
    intervalMs: settings.sweepIntervalMs,
    metrics,
    logger: log,
    onExpiredWaitingForHost: (type, n) => watch.expiredWaitingForHost(type, n),
  });
  const outbox = createOutboxRunner({ service, intervalMs: settings.sweepIntervalMs, metrics, logger: log });
  metrics.streamGauges({ pending: () => stream.pendingCount(), lag: () => stream.lag(), active: () => consumer.lease !== null });
  let stopping: Promise<void> | null = null;

  return {
    consumer,
    sweeper,
    outbox,
    async start() {
      await stream.ensureGroup();
      consumer.start();
      sweeper.start();
      outbox.start();
      log.info({ stream: stream.key }, "worker started; it reads the stream while it holds the stream lease");
      void watch.checkAtStart();
    },
    stop() {
      stopping ??= Promise.all([consumer.stop(), sweeper.stop(), outbox.stop()]).then(() => undefined);
      return stopping;
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;
