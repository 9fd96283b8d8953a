import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import express from "express";
import { GraphQLError, type GraphQLSchema } from "graphql";
import type { Logger } from "pino";
import { bearerToken, type JwtSettings, verifySession } from "../auth/jwt.js";
import { ErrorCode, MatchmakerError } from "../domain/errors.js";
import type { Actor } from "../domain/game.js";
import type { GqlContext } from "../graphql/context.js";
import { createErrorFormatter } from "../graphql/errors.js";
import type { Metrics } from "../metrics.js";
import type { GameService } from "../service/game-service.js";
import { clientAddress } from "./client-address.js";
import { createQueryGuard, type QueryLimits } from "./query-guard.js";
import { attachGraphqlWs } from "./ws-server.js";
import { graphqlHttpHandler, sendJsonError } from "./graphql-http.js";
import { jsonStatusPlugin } from "./json-status-plugin.js";
import { noHttpSubscriptions } from "./no-http-subscriptions.js";
import { originPolicy } from "./origins.js";
import type { RateLimits } from "../ratelimit/rate-limits.js";
import { browserOnGraphqlPath, webUiRouter } from "./web-ui.js";

export const GRAPHQL_PATH = "/graphql";

export interface ApiServerDeps {
  schema: GraphQLSchema;
  service: GameService;
  jwt: JwtSettings;
  logger: Logger;
  /** Resolves when every backend answers; drives /readyz. */
  ready: () => Promise<void>;
  metrics: Metrics;
  /**
   * Who may read /metrics on the API port: "open" (development), a bearer token, or "off"
   * (production without METRICS_TOKEN: metrics are on METRICS_PORT only).
   */
  metricsAccess: "open" | "off" | { token: string };
  /** Production: no schema hints ("Did you mean …") in errors. */
  production: boolean;
  rateLimits: RateLimits;
  /** The bundled pages: the lobby page at `/` (WEB_UI) and GraphiQL at `/graphiql` (GRAPHIQL). */
  web: {
    lobby: boolean;
    graphiql: boolean;
    /** Where the built pages are (default: dist/web of this package). */
    dir?: string;
  };
  limits: {
    maxBodyBytes: number;
    /** null: none — the benchmark's baseline, never from the environment. */
    query: QueryLimits | null;
    wsMaxSubscriptions: number;
    wsMaxConnectionsPerAddress: number;
    wsMaxBufferedBytes: number;
    trustProxyHops: number;
    /** CORS_ORIGINS (see originPolicy). */
    corsOrigins: readonly string[];
  };
}

export interface ApiServer {
  readonly http: Server;
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Stops accepting, ends subscriptions, lets running requests finish. Safe to call twice. */
  close(): Promise<void>;
}

interface Caller {
  actor: Actor | null;
  gameServerTypes: string[];
  expiresAt: number | null;
}

/** What a request's admission found: the caller (or why their token was refused) and their address. */
interface Admitted {
  caller: Caller | unknown;
  address: string;
}

/** Exactly the path, with or without a query string; its other spellings go through express. */
const isGraphqlPath = (url: string | undefined) => url !== undefined && url.startsWith(GRAPHQL_PATH) && (url.length === GRAPHQL_PATH.length || url[GRAPHQL_PATH.length] === "?");

const isCaller = (c: unknown): c is Caller => typeof c === "object" && c !== null && "gameServerTypes" in c;

/**
 * A missing token is anonymous; a game type's serverSecret names a game server; anything
 * else must be a valid player JWT — a present but bad token is refused, never ignored.
 */
async function callerFrom(header: unknown, jwt: JwtSettings, service: GameService): Promise<Caller> {
  const token = bearerToken(header);
  if (!token) return { actor: null, gameServerTypes: [], expiresAt: null };
  const gameServerTypes = service.gameTypesForSecret(token);
  if (gameServerTypes.length > 0) return { actor: null, gameServerTypes, expiresAt: null };
  const session = await verifySession(token, jwt);
  return { actor: session.actor, gameServerTypes: [], expiresAt: session.expiresAt };
}

/** GraphQL over HTTP (POST/GET) and graphql-ws on the same path, health probes, and the bundled lobby page and GraphiQL. */
export async function createApiServer(deps: ApiServerDeps): Promise<ApiServer> {
  const { schema, service, jwt, logger, limits } = deps;
  const app = express();
  // Nothing about the stack for whoever probes it.
  app.disable("x-powered-by");
  // Every POST to the GraphQL path — the hot paths — skips express (see graphql-http.ts).
  let graphqlPost: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const http = createServer((req, res) => {
    if (graphqlPost !== null && req.method === "POST" && isGraphqlPath(req.url)) graphqlPost(req, res);
    else app(req, res);
  });
  const formatError = createErrorFormatter(logger);
  // Decided by our NODE_ENV, not the process's: in production only with GRAPHIQL=on, which needs it.
  const introspection = !deps.production || deps.web.graphiql;
  const guard = createQueryGuard(schema, limits.query, deps.production, { introspection });
  const origins = originPolicy(limits.corsOrigins, deps.production);

  const ws = attachGraphqlWs({
    http,
    path: GRAPHQL_PATH,
    schema,
    guard,
    service,
    metrics: deps.metrics,
    rateLimits: deps.rateLimits,
    formatError,
    limits: {
      maxPayloadBytes: limits.maxBodyBytes,
      maxSubscriptions: limits.wsMaxSubscriptions,
      maxConnectionsPerAddress: limits.wsMaxConnectionsPerAddress,
      maxBufferedBytes: limits.wsMaxBufferedBytes,
      trustProxyHops: limits.trustProxyHops,
      originAllowed: origins.allowed,
    },
    caller: (authorization) => callerFrom(authorization, jwt, service),
  });

  const apollo = new ApolloServer<GqlContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    // "Did you mean …" would map the schema for anyone without introspection.
    hideSchemaDetailsFromClientErrors: deps.production,
    introspection,
    // The process owns SIGTERM (cli.ts): left on outside NODE_ENV=test, Apollo would stop on
    // the signal and re-send it, killing the process (exit 143) before the worker acks its batch.
    stopOnTerminationSignals: false,
    // Replaced by the check below that takes JSON only: Apollo's own blocks urql's default GET
    // queries (no preflight header), though a GET can only run a query, never a mutation.
    csrfPrevention: false,
    parseOptions: guard.parseOptions,
    validationRules: guard.validationRules,
    plugins: [
      // Apollo's landing page loads Apollo Sandbox from a CDN; the bundled GraphiQL replaces it.
      ApolloServerPluginLandingPageDisabled(),
      // Apollo's default cache-control plugin runs a hook for every resolved field (and turns on
      // its per-field instrumentation) to compute a policy from cache hints; the schema sets none,
      // so its only effect was `cache-control: no-store` on every response. Kept, without the per-field work.
      ApolloServerPluginCacheControlDisabled(),
      {
        async requestDidStart() {
          return {
            async willSendResponse({ response }) {
              // As the default plugin: leave a header it could not parse, else no-store (no hints, never cacheable).
              const existing = response.http.headers.get("cache-control");
              if (existing === undefined || existing === "no-store" || /^max-age=(\d+), (public|private)$/.test(existing)) {
                response.http.headers.set("cache-control", "no-store");
              }
            },
          };
        },
      },
      deps.metrics.apolloPlugin,
      jsonStatusPlugin(),
      noHttpSubscriptions(),
      ...guard.plugins,
      ApolloServerPluginDrainHttpServer({ httpServer: http }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await ws.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    try {
      await deps.ready();
      res.json({ status: "ready" });
    } catch (err) {
      res.status(503).json({ status: "unavailable", reason: err instanceof Error ? err.message : String(err) });
    }
  });
  app.get("/metrics", async (req, res) => {
    const access = deps.metricsAccess;
    if (access === "off") return void res.status(404).end();
    if (access !== "open" && bearerToken(req.headers.authorization) !== access.token) {
      return void res.status(401).json({ error: "a bearer token (METRICS_TOKEN) is needed for /metrics" });
    }
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  app.use(webUiRouter({ lobby: deps.web.lobby, graphiql: deps.web.graphiql, dir: deps.web.dir, graphqlPath: GRAPHQL_PATH, logger }));
  app.get(GRAPHQL_PATH, browserOnGraphqlPath(deps.web.graphiql, GRAPHQL_PATH));
  const graphql = graphqlHttpHandler<GqlContext, Admitted>({
    apollo,
    cors: origins.middleware,
    maxBodyBytes: limits.maxBodyBytes,
    logger,
    // Who calls, and one point of their address's operations budget, before anything is parsed:
    // malformed, over-limit and badly signed requests spend it too.
    async admit(req, res) {
      const address = clientAddress(req, limits.trustProxyHops);
      const caller = await callerFrom(req.headers.authorization, jwt, service).catch((err: unknown) => err);
      const spender = caller instanceof Error || !isCaller(caller) ? { actor: null, clientAddress: address } : { ...caller, clientAddress: address };
      try {
        await deps.rateLimits.operation(spender);
      } catch (err) {
        if (!(err instanceof MatchmakerError)) throw err;
        deps.metrics.countOperation({ transport: "http", name: undefined, type: "unknown", code: err.code });
        res.setHeader("retry-after", String(err.details?.retryAfterSeconds ?? 1));
        sendJsonError(res, 429, err.message, { code: err.code, ...err.details });
        return null;
      }
      return { caller, address };
    },
    async context({ caller, address }) {
      if (!isCaller(caller)) {
        const message = caller instanceof MatchmakerError ? caller.message : "Your token was refused.";
        throw new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
      }
      return { actor: caller.actor, gameServerTypes: caller.gameServerTypes, service, clientAddress: address, limits: deps.rateLimits };
    },
  });
  // GETs (urql's default queries), preflights and the path's other spellings come through express.
  app.use(GRAPHQL_PATH, (req: express.Request, res: express.Response) => graphql(req, res));
  graphqlPost = graphql;

  // Errors of the other routes (a malformed path, an unreadable file) as JSON, never express's HTML page.
  app.use((err: { status?: number }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(err);
    if (err.status && err.status >= 400 && err.status < 500) return sendJsonError(res, err.status, "The request was refused.", { code: "BAD_REQUEST" });
    logger.error({ err }, "request failed");
    sendJsonError(res, 500, "Internal server error.", { code: "INTERNAL_SERVER_ERROR" });
  });

  let closing: Promise<void> | null = null;
  return {
    http,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        http.once("error", reject);
        http.listen(port, host, () => {
          http.off("error", reject);
          resolve(http.address() as AddressInfo);
        });
      }),
    close() {
      closing ??= (async () => {
        await apollo.stop(); // drains HTTP and disposes graphql-ws via the plugins above
        ws.close();
      })();
      return closing;
    },
  };
}
