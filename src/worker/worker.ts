import type { Logger } from "pino";
import { ErrorCode, MatchmakerError } from "../domain/errors.js";
import type { Metrics } from "../metrics.js";
import type { GameService } from "../service/game-service.js";
import { createEventHandler } from "./event-handler.js";
import type { EventStream, StreamEntry } from "../stream/event-stream.js";
import { createStreamConsumer, type EntryResult } from "./stream-consumer.js";
import { createStreamWatch } from "./stream-watch.js";
import { createOutboxRunner } from "./outbox-runner.js";
import { createSweeper } from "./sweeper.js";
import { createMatcherRunner } from "./matcher-runner.js";

export interface WorkerSettings {
  consumerName: string;
  batchSize: number;
  blockMs: number;
  /** The stream lease's lifetime without renewal: how soon a standby takes over from a dead worker. */
  leaseMs: number;
  maxDeliveries: number;
  /** Replicas a batch's writes must reach before it is acknowledged; 0: not waited for. */
  waitReplicas?: number;
  waitTimeoutMs?: number;
  sweepIntervalMs: number;
  /** How often each ticket queue's matcher ticks (default 1 s). */
  matchTickMs?: number;
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
    handle: replicatedBeforeAck(createEventHandler(service, metrics, log, (types) => watch.sawTypes(types)), service, settings, log),
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
  const matcher = createMatcherRunner({ service, intervalMs: settings.matchTickMs ?? 1_000, metrics, logger: log });
  metrics.streamGauges({ pending: () => stream.pendingCount(), lag: () => stream.lag(), active: () => consumer.lease !== null });
  let stopping: Promise<void> | null = null;

  return {
    consumer,
    sweeper,
    outbox,
    matcher,
    async start() {
      await stream.ensureGroup();
      consumer.start();
      sweeper.start();
      outbox.start();
      matcher.start();
      log.info({ stream: stream.key }, "worker started; it reads the stream while it holds the stream lease");
      void watch.checkAtStart();
    },
    stop() {
      stopping ??= Promise.all([consumer.stop(), sweeper.stop(), outbox.stop(), matcher.stop()]).then(() => undefined);
      return stopping;
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;

/**
 * With WORKER_WAIT_REPLICAS, a batch is acknowledged only once its writes reached that many
 * replicas: Redis replicates asynchronously, and a master that dies with a write not yet sent on
 * would otherwise take an acknowledged entry's effect with it (the stream forgets the entry, the
 * promoted replica never saw it). Short of it, every applied entry of the batch is retried in
 * place — applying it again finds it applied (the game's last entry) and publishes it once more.
 */
function replicatedBeforeAck(
  handle: (entries: StreamEntry[]) => Promise<EntryResult[]>,
  service: GameService,
  settings: WorkerSettings,
  log: Logger,
): (entries: StreamEntry[]) => Promise<EntryResult[]> {
  const replicas = settings.waitReplicas ?? 0;
  if (replicas <= 0) return handle;
  // WAIT holds its connection — the one the lease is renewed on, when they share a Redis —
  // so it may take at most a third of the lease.
  const timeoutMs = Math.max(1, Math.min(settings.waitTimeoutMs ?? 1_000, Math.floor(settings.leaseMs / 3)));
  return async (entries) => {
    const mark = service.replicationMark();
    const results = await handle(entries);
    let error: unknown = null;
    try {
      if (!(await service.changesReplicated(replicas, timeoutMs, mark))) {
        error = new MatchmakerError(ErrorCode.BACKEND_UNAVAILABLE, `The batch's writes did not reach ${replicas} replica(s) within ${timeoutMs} ms, or a connection was lost meanwhile.`);
      }
    } catch (err) {
      error = err;
    }
    if (error === null) return results;
    log.warn({ err: error, entries: entries.length }, "a batch's writes are not replicated yet; applying it again before acknowledging");
    return results.map((r) => (r.status === "done" ? { status: "retry", error, transient: true } : r));
  };
}
