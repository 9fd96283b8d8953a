/**
 * The only reader of `process.env`. Everything else receives the frozen {@link Env}.
 *
 * Every variable is declared once in {@link VARS}: its schema, its default and the
 * sentence the README shows; {@link ENV_VARS} and the zod schema are derived from it,
 * so the documentation cannot drift from what is enforced.
 * An empty value counts as unset, because compose files and shells produce
 * `FOO=` for "not configured" far more often than anyone means "the empty string".
 */
import { hostname } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { Budget, RateLimitConfig } from "../ratelimit/rate-limits.js";
import { ConfigError, type ConfigProblem } from "./errors.js";

/** src/config/env.ts and dist/config/env.js are both two levels below the package root. */
const SAMPLE_CATALOG = fileURLToPath(new URL("../../catalog/game-types.yaml", import.meta.url));

/** Known to every developer; only ever accepted outside production. */
const DEV_JWT_SECRET = "matchmaker-insecure-dev-secret-change-me";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const NODE_ENVS = ["development", "test", "production"] as const;

/** sharded: SPUBLISH/SSUBSCRIBE (Redis ≥ 7); plain: PUBLISH/SUBSCRIBE, which a cluster sends to every node. */
export const CLUSTER_PUBSUB = ["sharded", "plain"] as const;
export type ClusterPubSub = (typeof CLUSTER_PUBSUB)[number];
export type NodeEnv = (typeof NODE_ENVS)[number];

export interface Env {
  port: number;
  host: string;
  /** null → embedded in-memory backend (non-persistent, single process). */
  redisUrl: string | null;
  keyPrefix: string;
  /** Absolute path of the YAML game-type catalog. */
  gameTypesPath: string;
  /** REDIS_CLUSTER_NODES: game data on a Redis Cluster (exclusive with redisUrl). */
  redisCluster: ClusterTarget | null;
  /** Redis holding the game-server event stream; defaults to `redisUrl`. */
  eventStreamRedisUrl: string | null;
  /** The stream on a Redis Cluster: EVENT_STREAM_CLUSTER_NODES, else redisCluster unless EVENT_STREAM_REDIS_URL is set. */
  eventStreamCluster: ClusterTarget | null;
  /** REDIS_CLUSTER_PUBSUB: how change messages travel on a cluster. */
  redisClusterPubSub: ClusterPubSub;
  eventStreamKey: string;
  jwtSecret: string;
  /** True when no JWT_SECRET was given and the well-known dev secret is in use: warn loudly. */
  jwtSecretIsDefault: boolean;
  jwtIssuer: string | null;
  logLevel: LogLevel;
  nodeEnv: NodeEnv;
  /** Port of the /healthz and /metrics server (worker-only processes; every process in production). */
  metricsPort: number;
  metricsToken: string | null;
  metricsOperationNames: string[];
  eventStreamMaxLen: number;
  eventStreamGroupStart: "0" | "$";
  /** Consumer name in the group; unique per worker process. */
  workerConsumerName: string;
  workerBatchSize: number;
  workerBlockMs: number;
  workerLeaseMs: number;
  workerMaxDeliveries: number;
  /** Replicas each batch's writes must reach before it is acknowledged (0: not waited for). */
  workerWaitReplicas: number;
  workerWaitTimeoutMs: number;
  eventDedupeMs: number;
  sweepIntervalMs: number;
  matchTickMs: number;
  gameServerTimeoutMs: number;
  gameServerRetries: number;
  shutdownTimeoutMs: number;
  redisCommandTimeoutMs: number;
  redisStartupTimeoutMs: number;
  httpMaxBodyBytes: number;
  queryLimits: { maxTokens: number; maxDepth: number; maxAliases: number; maxDirectives: number; maxCost: number };
  wsMaxSubscriptions: number;
  wsMaxConnectionsPerAddress: number;
  wsMaxBufferedBytes: number;
  trustProxyHops: number;
  /** CORS_ORIGINS; empty: the default for NODE_ENV (localhost outside production, none in production). */
  corsOrigins: string[];
  rateLimits: RateLimitConfig;
  /** Most live games one player may have created of one type (0: no cap). */
  maxLiveGamesPerPlayer: number;
  /** WEB_UI: the bundled lobby page at `/`. */
  webUi: boolean;
  /** GRAPHIQL: the bundled GraphiQL at `/graphiql`; default on outside production (in production it also allows introspection). */
  graphiql: boolean;
}

export interface EnvVarDoc {
  name: string;
  /** As shown to operators; null when the variable has no default. */
  default: string | null;
  description: string;
}

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: (i) => `must be an integer between ${min} and ${max}, got ${JSON.stringify(i.input)}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );

const redisUrl = z.string().refine(
  (s) => {
    try {
      return ["redis:", "rediss:"].includes(new URL(s).protocol);
    } catch {
      return false;
    }
  },
  { error: "must be a redis:// or rediss:// URL, e.g. redis://localhost:6379" },
);

/** Seed nodes of a Redis Cluster, and the credentials every node shares. */
export interface ClusterTarget {
  nodes: { host: string; port: number }[];
  username: string | null;
  password: string | null;
  tls: boolean;
}

/** `host:port` entries, or `redis[s]://[user:pass@]host:port` ones (their credentials and TLS apply to every node). */
const clusterNodes = z
  .string()
  .transform((s, ctx): ClusterTarget => {
    const target: ClusterTarget = { nodes: [], username: null, password: null, tls: false };
    const entries = s.split(",").map((x) => x.trim()).filter((x) => x !== "");
    if (entries.length === 0 || entries.length > 100) {
      ctx.addIssue({ code: "custom", message: "must list 1 to 100 seed nodes as host:port, comma-separated" });
      return z.NEVER;
    }
    for (const [i, entry] of entries.entries()) {
      // Never echo an entry: it may hold a password. Say which one, and its host when readable.
      const refuse = (why: string) => {
        ctx.addIssue({ code: "custom", message: `entry ${i + 1} of ${entries.length} ${why}` });
        return z.NEVER;
      };
      let url: URL;
      try {
        url = new URL(entry.includes("://") ? entry : `redis://${entry}`);
      } catch {
        return refuse("is not host:port (or redis://[user:password@]host:port; percent-encode , / @ : in a password)");
      }
      const port = Number(url.port);
      if (!["redis:", "rediss:"].includes(url.protocol)) return refuse("must be host:port, redis:// or rediss://");
      if (!url.hostname || !Number.isInteger(port) || port < 1 || port > 65_535) return refuse(`(host ${url.hostname || "missing"}) needs a port 1–65535`);
      if (url.pathname !== "" && url.pathname !== "/") return refuse(`(host ${url.hostname}) names a database: a cluster has only database 0`);
      let username: string, password: string;
      try {
        [username, password] = [decodeURIComponent(url.username), decodeURIComponent(url.password)];
      } catch {
        return refuse(`(host ${url.hostname}) has a malformed percent-encoding in its credentials`);
      }
      target.nodes.push({ host: url.hostname.replace(/^\[|\]$/g, ""), port });
      if (url.protocol === "rediss:") target.tls = true;
      if (username) target.username = username;
      if (password) target.password = password;
    }
    return target;
  });

/** A rate-limit budget: `<points>/<seconds>` (e.g. 10/60), or `off`. */
const budget = z
  .string()
  .regex(/^(off|[1-9]\d{0,6}\/[1-9]\d{0,6})$/, { error: (i) => `must be <points>/<seconds> (e.g. 10/60) or off, got ${JSON.stringify(i.input)}` })
  .transform((s): Budget => {
    if (s === "off") return null;
    const [points, seconds] = s.split("/").map(Number);
    return { points: points!, seconds: seconds! };
  });

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: (i) => `must be one of ${values.join(", ")}, got ${JSON.stringify(i.input)}` });

interface VarSpec {
  schema: z.ZodType;
  default: string | null;
  description: string;
}

const VARS = {
  PORT: { schema: int(1, 65_535), default: "4000", description: "HTTP port of the API (GraphQL, health, metrics)." },
  HOST: { schema: z.string(), default: "0.0.0.0", description: "Interface the API listens on." },
  REDIS_URL: {
    schema: redisUrl,
    default: null,
    description: "Redis for game data. Unset: embedded in-memory backend (not persistent, single process only).",
  },
  REDIS_KEY_PREFIX: {
    schema: z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: "may only contain letters, digits, '_', '.' and '-'" }),
    default: "mm",
    description: "Prefix of every Redis key, so several deployments can share one Redis.",
  },
  MATCHMAKER_GAME_TYPES: {
    schema: z.string(),
    default: "catalog/game-types.yaml",
    description: "Path of the YAML game-type catalog (default: the sample shipped with the package).",
  },
  REDIS_CLUSTER_NODES: {
    schema: clusterNodes,
    default: null,
    description:
      "Redis Cluster for game data instead of REDIS_URL: seed nodes as host:port, comma-separated (redis://user:password@host:port or rediss:// for credentials or TLS). The event stream, the change bus and the rate limits use it too unless EVENT_STREAM_* say otherwise.",
  },
  REDIS_CLUSTER_PUBSUB: {
    schema: oneOf(CLUSTER_PUBSUB),
    default: "sharded",
    description:
      "How change messages travel on a Redis Cluster: sharded (SPUBLISH/SSUBSCRIBE, Redis 7.0+: each message reaches only the shard of its channel) or plain (PUBLISH/SUBSCRIBE, for Redis 6.2 clusters, which lack sharded pub/sub: every message reaches every node). With sharded, a process whose cluster lacks it refuses to start and says so.",
  },
  EVENT_STREAM_CLUSTER_NODES: {
    schema: clusterNodes,
    default: null,
    description: "Redis Cluster holding the game servers' event stream, if not the one in REDIS_CLUSTER_NODES (seed nodes, as there).",
  },
  EVENT_STREAM_REDIS_URL: {
    schema: redisUrl,
    default: null,
    description: "Redis holding the game servers' event stream, if not the one in REDIS_URL.",
  },
  EVENT_STREAM_KEY: {
    schema: z.string(),
    default: "game_event_stream",
    description: "Name of the Redis stream game servers append events to.",
  },
  JWT_SECRET: {
    schema: z.string().min(16, { error: "must be at least 16 characters" }),
    default: null,
    description: "HMAC secret for player tokens (>= 16 chars). Required in production; a known dev secret is used otherwise.",
  },
  JWT_ISSUER: { schema: z.string(), default: null, description: "When set, tokens must carry this `iss` claim." },
  LOG_LEVEL: { schema: oneOf(LOG_LEVELS), default: "info", description: `Log level: ${LOG_LEVELS.join(", ")}.` },
  NODE_ENV: {
    schema: oneOf(NODE_ENVS),
    default: "development",
    description: `${NODE_ENVS.join(", ")}. production refuses to start without JWT_SECRET.`,
  },
  METRICS_PORT: {
    schema: int(1, 65_535),
    default: "9100",
    description:
      "Port of the /healthz and /metrics server of a worker-only process, and in production of every process (the API port then serves /metrics only with METRICS_TOKEN).",
  },
  METRICS_OPERATION_NAMES: {
    schema: z
      .string()
      .transform((s) => s.split(",").map((x) => x.trim()).filter((x) => x !== ""))
      .pipe(
        z
          .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, { error: "each name must be a GraphQL name of at most 64 characters" }))
          .max(200, { error: "at most 200 names" }),
      ),
    default: null,
    description:
      "Comma-separated GraphQL operation names counted under their own name in metrics, besides the ones this project ships; any other name counts as \"other\".",
  },
  METRICS_TOKEN: {
    schema: z.string().min(16, { error: "must be at least 16 characters" }),
    default: null,
    description: "When set, /metrics on the API port answers requests bearing this token (Authorization: Bearer …), also in production.",
  },
  EVENT_STREAM_MAXLEN: {
    schema: int(1_000, 100_000_000),
    default: "1000000",
    description: "Approximate length the event stream is trimmed to (XADD MAXLEN ~).",
  },
  EVENT_STREAM_GROUP_START: {
    schema: z.enum(["0", "$"], { error: 'must be "0" or "$"' }),
    default: "0",
    description:
      'Where the `matchmaker` consumer group starts when the worker creates it: "0" = every entry already in the stream, "$" = only new ones (for a stream with another system\'s history).',
  },
  WORKER_CONSUMER_NAME: {
    schema: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, { error: "may only contain letters, digits and _ . : -" }),
    default: null,
    description: "Consumer name of this worker in the `matchmaker` group (default: <hostname>-<pid>); unique per process.",
  },
  WORKER_BATCH_SIZE: { schema: int(1, 10_000), default: "200", description: "Stream entries read per batch (XREADGROUP COUNT)." },
  WORKER_BLOCK_MS: { schema: int(1, 5_000), default: "2000", description: "How long one stream read blocks when idle, in ms (≤ 5000)." },
  WORKER_LEASE_MS: {
    schema: int(300, 60_000),
    default: "3000",
    description:
      "Lifetime of the stream lease (one active worker per stream; renewed every third of it). A standby worker takes over about this long after the active one died, in ms.",
  },
  WORKER_MAX_DELIVERIES: {
    schema: int(1, 1_000),
    default: "5",
    description: "Entries delivered (or failing) more often than this go to the dead-letter stream `<stream>:dead`.",
  },
  WORKER_WAIT_REPLICAS: {
    schema: int(0, 10),
    default: "0",
    description:
      "Replicas a batch's writes must reach (Redis WAIT on every master) before its entries are acknowledged; short of it the batch is applied again. 0: not waited for.",
  },
  WORKER_WAIT_TIMEOUT_MS: { schema: int(1, 60_000), default: "1000", description: "How long one WAIT for WORKER_WAIT_REPLICAS may take." },
  EVENT_DEDUPE_SECONDS: {
    schema: int(1, 30 * 86_400),
    default: "86400",
    description: "How long an applied event_id is remembered, so a redelivered event is not applied twice.",
  },
  SWEEP_INTERVAL_MS: { schema: int(10, 600_000), default: "1000", description: "How often the worker looks for expired games and seats, in ms." },
  MATCH_TICK_MS: {
    schema: int(50, 60_000),
    default: "1000",
    description: "How often the worker runs each ticket queue's matcher (one tick: catch up with the queue, time out, form and commit matches), in ms.",
  },
  GAME_SERVER_RETRIES: {
    schema: int(0, 10),
    default: "2",
    description: "Retries of the idempotent control calls (remove_game, remove_player) after a failure.",
  },
  GAME_SERVER_TIMEOUT_MS: {
    schema: int(1, 600_000),
    default: "3000",
    description: "Timeout of each control call to a game server, in milliseconds.",
  },
  REDIS_COMMAND_TIMEOUT_MS: {
    schema: int(50, 60_000),
    default: "1000",
    description:
      "A Redis command with no answer within this long fails (BACKEND_UNAVAILABLE), as does every command while Redis is unreachable: calls fail fast instead of queueing. A command whose connection dropped before its answer came is never sent again after the reconnect (it may have run); it fails the same way.",
  },
  REDIS_STARTUP_TIMEOUT_MS: {
    schema: int(100, 600_000),
    default: "10000",
    description: "How long start-up waits for Redis before it gives up with one log line and exit code 1.",
  },
  HTTP_MAX_BODY_BYTES: {
    schema: int(1_024, 16_777_216),
    default: "262144",
    description: "Largest request body, and largest graphql-ws frame, in bytes (a larger frame closes the socket with 1009).",
  },
  QUERY_MAX_TOKENS: { schema: int(50, 100_000), default: "2000", description: "Most tokens in one GraphQL document (HTTP and graphql-ws)." },
  QUERY_MAX_DEPTH: { schema: int(2, 100), default: "8", description: "Deepest field nesting of one operation (fragment spreads add no level)." },
  QUERY_MAX_ALIASES: { schema: int(1, 1_000), default: "15", description: "Most aliases in one operation." },
  QUERY_MAX_DIRECTIVES: { schema: int(1, 1_000), default: "10", description: "Most directives in one operation." },
  QUERY_MAX_COST: {
    schema: int(100, 10_000_000),
    default: "50000",
    description:
      "Most graphql-armor cost of one operation (objects 2, scalars 1, ×1.5 per level, × a list's `first`, variables included); games(first: 100) with every field costs about 30,000.",
  },
  WS_MAX_SUBSCRIPTIONS: { schema: int(1, 10_000), default: "20", description: "Most active subscriptions on one graphql-ws connection." },
  WS_MAX_CONNECTIONS_PER_ADDRESS: {
    schema: int(1, 100_000),
    default: "50",
    description: "Most open graphql-ws connections from one client address, per API process.",
  },
  WS_MAX_BUFFERED_BYTES: {
    schema: int(16_384, 67_108_864),
    default: "262144",
    description:
      "Most bytes waiting to be sent on one graphql-ws connection; a client that reads slower than its changes arrive is closed with 1013 (try again later) past it.",
  },
  CORS_ORIGINS: {
    schema: z
      .string()
      .transform((s) => s.split(",").map((x) => x.trim()).filter((x) => x !== ""))
      .pipe(
        z
          .array(z.string().regex(/^(\*|https?:\/\/[^\s/,]+)$/, { error: "each origin must be * or scheme://host[:port], e.g. https://play.example.com" }))
          .max(100, { error: "at most 100 origins" }),
      ),
    default: null,
    description:
      "Comma-separated browser origins allowed to call the API (CORS) and to open graphql-ws sockets (their Origin), or * for any. Unset: localhost on any port outside production, none in production.",
  },
  TRUST_PROXY_HOPS: {
    schema: int(0, 10),
    default: "0",
    description:
      "Reverse proxies in front of the API whose X-Forwarded-For to trust for the client address (limits per address); 0 = the socket's peer.",
  },
  RATE_LIMITS: {
    schema: oneOf(["on", "off"]),
    default: "on",
    description: "Rate limits on or off as a whole (each RATE_LIMIT_* budget can also be `off`). Shared by every API process through Redis; per process in embedded mode.",
  },
  RATE_LIMIT_CREATE: { schema: budget, default: "10/60", description: "createGame calls per player: `<points>/<seconds>` or `off`." },
  RATE_LIMIT_QUICK_JOIN: { schema: budget, default: "30/60", description: "quickJoin calls per player." },
  RATE_LIMIT_JOIN: { schema: budget, default: "60/60", description: "joinGame, joinGameByCode and leaveGame calls per player." },
  RATE_LIMIT_UPDATE: { schema: budget, default: "60/60", description: "updateGame and deleteGame calls per player." },
  RATE_LIMIT_PARTY: { schema: budget, default: "60/60", description: "createParty, joinParty and leaveParty calls per player." },
  RATE_LIMIT_WRONG_CODES: {
    schema: budget,
    default: "30/86400",
    description: "Wrong join codes per player (joinGameByCode, joinGame with a code); once spent, every code is refused until the window ends. See the README's abuse limits for the arithmetic.",
  },
  RATE_LIMIT_WRONG_CODES_PER_ADDRESS: { schema: budget, default: "100/86400", description: "Wrong join codes per client address, whatever the token." },
  RATE_LIMIT_MUTATIONS_PER_ADDRESS: { schema: budget, default: "600/60", description: "Mutations per client address, whatever the token." },
  RATE_LIMIT_OPERATIONS_PER_ADDRESS: {
    schema: budget,
    default: "3000/60",
    description: "GraphQL operations (queries, mutations, subscriptions; HTTP and graphql-ws) per client address. Admins and game servers are not limited.",
  },
  RATE_LIMIT_SUBSCRIPTIONS_PER_ADDRESS: { schema: budget, default: "120/60", description: "Subscriptions started per client address." },
  MAX_LIVE_GAMES_PER_PLAYER: {
    schema: int(0, 10_000),
    default: "5",
    description: "Most live (not ENDED) games one player may have created of one game type (createGame, and quickJoin when it creates); 0 = no cap. Admins are not capped.",
  },
  WEB_UI: {
    schema: oneOf(["on", "off"]),
    default: "on",
    description: "The lobby page at `/`: a live view of every game type's open games, bundled with the package (no CDN). `off` answers `/` with 404.",
  },
  GRAPHIQL: {
    schema: oneOf(["on", "off"]),
    default: null,
    description:
      "GraphiQL, bundled with the package, at `/graphiql` (a browser's GET of /graphql is sent there): on or off. Unset: on outside production, off with NODE_ENV=production. In production `on` also allows schema introspection over HTTP, which GraphiQL needs.",
  },
  SHUTDOWN_TIMEOUT_MS: {
    schema: int(1, 600_000),
    default: "10000",
    description: "How long a graceful shutdown may drain before the process exits anyway, in milliseconds.",
  },
} satisfies Record<string, VarSpec>;

type VarName = keyof typeof VARS;
type Parsed = { [K in VarName]: z.output<(typeof VARS)[K]["schema"]> | undefined };

/** Name, default and description of every variable, in documentation order (for the README table). */
export const ENV_VARS: readonly EnvVarDoc[] = Object.freeze(
  Object.entries(VARS).map(([name, v]) => Object.freeze({ name, default: v.default, description: v.description })),
);

// Defaults are fed through the same schema as real values (`prefault`), so a bad default fails a test.
const envSchema = z.object(
  Object.fromEntries(
    Object.entries(VARS as Record<string, VarSpec>).map(([name, v]) => [
      name,
      v.default === null ? v.schema.optional() : v.schema.prefault(v.default),
    ]),
  ) as Record<string, z.ZodType>,
);

/**
 * Validates the environment and returns a frozen {@link Env}.
 *
 * @throws ConfigError listing every invalid variable at once (never just the first),
 *   including a missing JWT_SECRET when NODE_ENV is "production".
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const raw: Partial<Record<VarName, string>> = {};
  for (const name of Object.keys(VARS) as VarName[]) {
    const value = source[name];
    if (value !== undefined && value !== "") raw[name] = value;
  }

  const problems: ConfigProblem[] = [];
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push({ path: String(issue.path[0] ?? ""), message: issue.message });
  }
  // Checked outside zod: object-level refinements only run once every field is valid.
  if (raw.NODE_ENV === "production" && raw.JWT_SECRET === undefined) {
    problems.push({ path: "JWT_SECRET", message: "is required when NODE_ENV is production" });
  }
  if (raw.REDIS_URL !== undefined && raw.REDIS_CLUSTER_NODES !== undefined) {
    problems.push({ path: "REDIS_CLUSTER_NODES", message: "cannot be set together with REDIS_URL: pick one Redis (a single server or a cluster)" });
  }
  if (raw.EVENT_STREAM_REDIS_URL !== undefined && raw.EVENT_STREAM_CLUSTER_NODES !== undefined) {
    problems.push({ path: "EVENT_STREAM_CLUSTER_NODES", message: "cannot be set together with EVENT_STREAM_REDIS_URL" });
  }

  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(problems, "Invalid environment variables");
  }

  const v = parsed.data as Parsed;
  const redis = v.REDIS_URL ?? null;
  const cluster = (v.REDIS_CLUSTER_NODES as ClusterTarget | undefined) ?? null;
  const streamCluster = (v.EVENT_STREAM_CLUSTER_NODES as ClusterTarget | undefined) ?? (v.EVENT_STREAM_REDIS_URL ? null : cluster);
  return Object.freeze({
    port: v.PORT!,
    host: v.HOST!,
    redisUrl: redis,
    keyPrefix: v.REDIS_KEY_PREFIX!,
    gameTypesPath: raw.MATCHMAKER_GAME_TYPES === undefined ? SAMPLE_CATALOG : resolve(raw.MATCHMAKER_GAME_TYPES),
    redisCluster: cluster,
    eventStreamRedisUrl: streamCluster ? null : (v.EVENT_STREAM_REDIS_URL ?? redis),
    eventStreamCluster: streamCluster,
    redisClusterPubSub: v.REDIS_CLUSTER_PUBSUB! as ClusterPubSub,
    eventStreamKey: v.EVENT_STREAM_KEY!,
    jwtSecret: v.JWT_SECRET ?? DEV_JWT_SECRET,
    jwtSecretIsDefault: v.JWT_SECRET === undefined,
    jwtIssuer: v.JWT_ISSUER ?? null,
    logLevel: v.LOG_LEVEL!,
    nodeEnv: v.NODE_ENV!,
    metricsPort: v.METRICS_PORT!,
    metricsToken: v.METRICS_TOKEN ?? null,
    metricsOperationNames: (v.METRICS_OPERATION_NAMES as string[] | undefined) ?? [],
    eventStreamMaxLen: v.EVENT_STREAM_MAXLEN!,
    eventStreamGroupStart: v.EVENT_STREAM_GROUP_START! as "0" | "$",
    workerConsumerName: v.WORKER_CONSUMER_NAME ?? `${hostname()}-${process.pid}`,
    workerBatchSize: v.WORKER_BATCH_SIZE!,
    workerBlockMs: v.WORKER_BLOCK_MS!,
    workerLeaseMs: v.WORKER_LEASE_MS!,
    workerMaxDeliveries: v.WORKER_MAX_DELIVERIES!,
    workerWaitReplicas: v.WORKER_WAIT_REPLICAS!,
    workerWaitTimeoutMs: v.WORKER_WAIT_TIMEOUT_MS!,
    eventDedupeMs: v.EVENT_DEDUPE_SECONDS! * 1_000,
    sweepIntervalMs: v.SWEEP_INTERVAL_MS!,
    matchTickMs: v.MATCH_TICK_MS!,
    gameServerTimeoutMs: v.GAME_SERVER_TIMEOUT_MS!,
    gameServerRetries: v.GAME_SERVER_RETRIES!,
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS!,
    redisCommandTimeoutMs: v.REDIS_COMMAND_TIMEOUT_MS!,
    redisStartupTimeoutMs: v.REDIS_STARTUP_TIMEOUT_MS!,
    httpMaxBodyBytes: v.HTTP_MAX_BODY_BYTES!,
    queryLimits: Object.freeze({
      maxTokens: v.QUERY_MAX_TOKENS!,
      maxDepth: v.QUERY_MAX_DEPTH!,
      maxAliases: v.QUERY_MAX_ALIASES!,
      maxDirectives: v.QUERY_MAX_DIRECTIVES!,
      maxCost: v.QUERY_MAX_COST!,
    }),
    wsMaxSubscriptions: v.WS_MAX_SUBSCRIPTIONS!,
    wsMaxConnectionsPerAddress: v.WS_MAX_CONNECTIONS_PER_ADDRESS!,
    wsMaxBufferedBytes: v.WS_MAX_BUFFERED_BYTES!,
    trustProxyHops: v.TRUST_PROXY_HOPS!,
    corsOrigins: (v.CORS_ORIGINS as string[] | undefined) ?? [],
    rateLimits: Object.freeze({
      enabled: v.RATE_LIMITS === "on",
      perPlayer: Object.freeze({
        create: v.RATE_LIMIT_CREATE as Budget,
        quickJoin: v.RATE_LIMIT_QUICK_JOIN as Budget,
        join: v.RATE_LIMIT_JOIN as Budget,
        update: v.RATE_LIMIT_UPDATE as Budget,
        party: v.RATE_LIMIT_PARTY as Budget,
      }),
      wrongCodesPerPlayer: v.RATE_LIMIT_WRONG_CODES as Budget,
      wrongCodesPerAddress: v.RATE_LIMIT_WRONG_CODES_PER_ADDRESS as Budget,
      mutationsPerAddress: v.RATE_LIMIT_MUTATIONS_PER_ADDRESS as Budget,
      operationsPerAddress: v.RATE_LIMIT_OPERATIONS_PER_ADDRESS as Budget,
      subscriptionsPerAddress: v.RATE_LIMIT_SUBSCRIPTIONS_PER_ADDRESS as Budget,
    }),
    maxLiveGamesPerPlayer: v.MAX_LIVE_GAMES_PER_PLAYER!,
    webUi: v.WEB_UI === "on",
    graphiql: v.GRAPHIQL === undefined ? v.NODE_ENV !== "production" : v.GRAPHIQL === "on",
  });
}
