import type { ApolloServerPlugin } from "@apollo/server";
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";

/** One registry per process; every metric is prefixed `matchmaker_`, durations in seconds. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "matchmaker_" });
  const operations = new Counter({
    name: "matchmaker_graphql_operations_total",
    help: "GraphQL operations by name, type and outcome (ok or the error code).",
    labelNames: ["operation", "type", "outcome"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "matchmaker_graphql_operation_duration_seconds",
    help: "GraphQL operation latency over HTTP.",
    labelNames: ["type"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
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

  return { registry, apolloPlugin };
}

export type Metrics = ReturnType<typeof createMetrics>;
