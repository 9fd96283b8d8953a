import type { ApolloServerPlugin } from "@apollo/server";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { ErrorCode } from "./domain/errors.js";
import { TicketStatus } from "./domain/tickets/ticket-record.js";
import { QUEUE_ACTIVITY_MINUTES, type QueueActivity } from "./store/queue-activity.js";
import { SHIPPED_OPERATION_NAMES } from "./graphql/known-operations.js";

/** What happened to one GraphQL operation, as metric labels (every value from a bounded set). */
export interface OperationOutcome {
  transport: "http" | "ws";
  /** The client's operationName; counted as "other" unless it is a known one. */
  name: string | null | undefined;
  type: string | undefined;
  /** The first error's extensions.code, or undefined when there was none. */
  code: unknown;
}

// Codes that say the caller asked for something that cannot be done; anything else is ours.
const INTERNAL_CODES = new Set<string>([ErrorCode.INTERNAL_SERVER_ERROR, ErrorCode.BACKEND_UNAVAILABLE]);
const FRAMEWORK_CODES = ["GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST", "PERSISTED_QUERY_NOT_FOUND", "OPERATION_RESOLUTION_FAILURE"];
const KNOWN_CODES = new Set<string>([...Object.values(ErrorCode), ...FRAMEWORK_CODES]);
const OPERATION_TYPES = new Set(["query", "mutation", "subscription"]);

/** One registry per process; every metric is prefixed `matchmaker_`, durations in seconds. */
export function createMetrics(opts: { operationNames?: readonly string[] } = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "matchmaker_" });
  const registers = [registry];
  const knownNames = new Set([...SHIPPED_OPERATION_NAMES, ...(opts.operationNames ?? [])]);

  const operations = new Counter({
    name: "matchmaker_graphql_operations_total",
    help:
      "GraphQL operations by transport (http, ws), operation name (known names only, others as \"other\"), type, outcome " +
      "(ok, user_error, internal) and error code.",
    labelNames: ["transport", "operation", "type", "outcome", "code"] as const,
    registers,
  });
  const duration = new Histogram({
    name: "matchmaker_graphql_operation_duration_seconds",
    help: "GraphQL operation latency over HTTP.",
    labelNames: ["type"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const wsConnections = new Gauge({ name: "matchmaker_ws_connections", help: "Open graphql-ws connections.", registers });
  const wsSubscriptions = new Gauge({ name: "matchmaker_ws_subscriptions", help: "Active subscriptions over graphql-ws.", registers });

  /** Counts one operation; labels only ever take values from bounded sets. */
  function countOperation(o: OperationOutcome): void {
    const code = typeof o.code === "string" ? (KNOWN_CODES.has(o.code) ? o.code : "other") : o.code === undefined ? "none" : "other";
    const outcome = o.code === undefined ? "ok" : typeof o.code === "string" && !INTERNAL_CODES.has(o.code) && KNOWN_CODES.has(o.code) ? "user_error" : "internal";
    operations.inc({
      transport: o.transport,
      operation: o.name ? (knownNames.has(o.name) ? o.name : "other") : "anonymous",
      type: o.type && OPERATION_TYPES.has(o.type) ? o.type : "unknown",
      outcome,
      code,
    });
  }

  /** Counts and times every HTTP GraphQL operation, resolver errors included. */
  const apolloPlugin: ApolloServerPlugin = {
    async requestDidStart() {
      const end = duration.startTimer();
      return {
        async willSendResponse({ operation, request, errors, response }) {
          const type = operation?.operation ?? "unknown";
          const body = response.body;
          const resultErrors = body.kind === "single" ? body.singleResult.errors : undefined;
          // The formatted errors carry the codes clients see; the raw ones only when nothing was formatted.
          const first = resultErrors?.[0] ?? errors?.[0];
          const name = request.operationName ?? operation?.name?.value;
          countOperation({ transport: "http", name, type, code: first ? (first.extensions?.code ?? "INTERNAL_SERVER_ERROR") : undefined });
          end({ type });
        },
      };
    },
  };

  return {
    registry,
    apolloPlugin,
    countOperation,
    wsConnections,
    wsSubscriptions,
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
    // Ticket matchmaking: game_type and queue come from the catalog, reasons and outcomes from
    // fixed lists (TimeoutReason, TicketStatus): every label is bounded.
    ticketsWaiting: new Gauge({
      name: "matchmaker_tickets_waiting",
      help: "Searching tickets in this worker's pool of a queue after its last tick.",
      labelNames: ["game_type", "queue"] as const,
      registers,
    }),
    ticketsEnded: new Counter({
      name: "matchmaker_tickets_ended_total",
      help: "Tickets this worker's matcher ended, by outcome (MATCHED, TIMED_OUT) and, for timeouts, the rule that failed most. Cancels are made by the API: see matchmaker_queue_recent_tickets.",
      labelNames: ["game_type", "queue", "outcome", "reason"] as const,
      registers,
    }),
    ticketWait: new Histogram({
      name: "matchmaker_ticket_wait_seconds",
      help: "Time from enqueue to match of matched tickets.",
      labelNames: ["game_type", "queue"] as const,
      buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
      registers,
    }),
    matchFailures: new Counter({
      name: "matchmaker_match_attempt_failures_total",
      help: "Seed attempts that formed no match, by the rule that failed most (no_one_within_window, no_region, party_size, pool_too_small).",
      labelNames: ["game_type", "queue", "reason"] as const,
      registers,
    }),
    staleProposals: new Counter({
      name: "matchmaker_match_proposals_stale_total",
      help: "Proposed matches not committed because a ticket was cancelled or matched elsewhere meanwhile.",
      labelNames: ["game_type", "queue"] as const,
      registers,
    }),
    leaseEvents: new Counter({
      name: "matchmaker_worker_lease_events_total",
      help: "Stream lease changes of this worker: acquired (it became the active consumer), lost, released (at shutdown).",
      labelNames: ["event"] as const,
      registers,
    }),
    /**
     * Games per type and state, read from the store on each scrape (every process reports the
     * same shared numbers: aggregate with max, not sum). Types come from the catalog, states
     * from the five: both bounded.
     */
    gameGauges(types: readonly string[], count: (type: string) => Promise<Record<string, number>>) {
      new Gauge({
        name: "matchmaker_games",
        help: "Games by game type and state, as the store holds them now (the same in every process: use max).",
        labelNames: ["game_type", "state"] as const,
        registers,
        async collect() {
          this.reset();
          await Promise.all(
            types.map(async (type) => {
              const counts = await count(type).catch(() => null);
              if (counts) for (const [state, n] of Object.entries(counts)) this.set({ game_type: type, state }, n);
            }),
          );
        },
      });
    },
    /**
     * Tickets ended per queue and outcome in the store's activity window (every process's
     * ends, cancels included), read on each scrape (the same in every process: use max).
     * Types and queues come from the catalog, outcomes are the three: all bounded.
     */
    queueGauges(queues: readonly { gameType: string; queueId: string }[], activity: (gameType: string, queueId: string) => Promise<QueueActivity>) {
      new Gauge({
        name: "matchmaker_queue_recent_tickets",
        help: `Tickets that ended in a queue in the current minute and the ${QUEUE_ACTIVITY_MINUTES - 1} before it, by outcome, across every API and worker process (the same in every process: use max).`,
        labelNames: ["game_type", "queue", "outcome"] as const,
        registers,
        async collect() {
          this.reset();
          await Promise.all(
            queues.map(async ({ gameType, queueId }) => {
              const a = await activity(gameType, queueId).catch(() => null);
              if (!a) return;
              const labels = { game_type: gameType, queue: queueId };
              this.set({ ...labels, outcome: TicketStatus.MATCHED }, a.matched);
              this.set({ ...labels, outcome: TicketStatus.TIMED_OUT }, a.timedOut);
              this.set({ ...labels, outcome: TicketStatus.CANCELLED }, a.cancelled);
            }),
          );
        },
      });
    },
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
