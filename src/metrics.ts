import type { ApolloServerPlugin } from "@apollo/server";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** One registry per process; every metric is prefixed `matchmaker_`, durations in seconds. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "matchmaker_" });
  const registers = [registry];

  const operations = new Counter({
    name: "matchmaker_graphql_operations_total",
    help: "GraphQL operations by name, type and outcome (ok or the error code).",
    labelNames: ["operation", "type", "outcome"] as const,
    registers,
  });
  const duration = new Histogram({
    name: "matchmaker_graphql_operation_duration_seconds",
    help: "GraphQL operation latency over HTTP.",
    labelNames: ["type"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });

  /** Counts and times every HTTP GraphQL operation. */
  const apolloPlugin: ApolloServerPlugin = {
    async requestDidStart() {
      const end = duration.startTimer();
      return {
        async willSendResponse({ operation, operationName, errors }) {
          const type = operation?.operation ?? "unknown";
          const code = errors?.[0]?.extensions?.code;
          operations.inc({ operation: operationName ?? "anonymous", type, outcome: typeof code === "string" ? code : "ok" });
          end({ type });
        },
      };
    },
  };

  return {
    registry,
    apolloPlugin,
    gameServerFailures: new Counter({
      name: "matchmaker_game_server_call_failures_total",
      help: "Best-effort control calls (remove_game, remove_player) that failed after retries; the local change was kept.",
      labelNames: ["call", "game_type"] as const,
      registers,
    }),
    events: new Counter({
      name: "matchmaker_worker_events_total",
      help: "Stream entries handled, by event type and outcome (applied, unchanged, duplicate, ignored, dead_lettered, retried).",
      labelNames: ["type", "outcome"] as const,
      registers,
    }),
    deadLetters: new Counter({
      name: "matchmaker_worker_dead_letters_total",
      help: "Entries copied to the dead-letter stream, by reason.",
      labelNames: ["reason"] as const,
      registers,
    }),
    batchDuration: new Histogram({
      name: "matchmaker_worker_batch_duration_seconds",
      help: "Time to apply, publish and acknowledge one batch of stream entries.",
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    expired: new Counter({
      name: "matchmaker_expired_total",
      help: "Games deleted and reserved seats freed by the expiry sweeper.",
      labelNames: ["what"] as const,
      registers,
    }),
    outboxSent: new Counter({
      name: "matchmaker_game_server_outbox_sent_total",
      help: "Control calls the game-server outbox delivered (remove_game after a failed creation, calls a server did not take at first).",
      registers,
    }),
    outboxAbandoned: new Counter({
      name: "matchmaker_game_server_outbox_abandoned_total",
      help: "Control calls the outbox gave up on after a day without the game server taking them.",
      labelNames: ["call", "game_type"] as const,
      registers,
    }),
    expiredBeforeHost: new Counter({
      name: "matchmaker_expired_before_host_total",
      help:
        "Hosted games that expired before their host connected (no creator_joined), by game type and whether any stream " +
        "entry of the type was ever read (stream_seen=\"false\": the stream is probably read from the wrong Redis or database).",
      labelNames: ["game_type", "stream_seen"] as const,
      registers,
    }),
    leaseEvents: new Counter({
      name: "matchmaker_worker_lease_events_total",
      help: "Stream lease changes of this worker: acquired (it became the active consumer), lost, released (at shutdown).",
      labelNames: ["event"] as const,
      registers,
    }),
    /** Gauges read from the stream on each scrape. */
    streamGauges(read: { pending: () => Promise<number>; lag: () => Promise<number | null>; active: () => boolean }) {
      new Gauge({
        name: "matchmaker_worker_active",
        help: "1 while this worker holds the stream lease (the one consumer reading the stream), 0 while it stands by.",
        registers,
        collect() {
          this.set(read.active() ? 1 : 0);
        },
      });
      new Gauge({
        name: "matchmaker_worker_pending_entries",
        help: "Entries delivered to the consumer group but not yet acknowledged.",
        registers,
        async collect() {
          this.set(await read.pending().catch(() => Number.NaN));
        },
      });
      new Gauge({
        name: "matchmaker_worker_consumer_lag",
        help: "Entries in the stream not yet delivered to the consumer group.",
        registers,
        async collect() {
          this.set((await read.lag().catch(() => null)) ?? Number.NaN);
        },
      });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
