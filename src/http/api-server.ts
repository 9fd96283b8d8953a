import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import { GraphQLError, type GraphQLSchema } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import type { Logger } from "pino";
import { WebSocketServer } from "ws";
import { bearerToken, type JwtSettings, verifyToken } from "../auth/jwt.js";
import { ErrorCode, MatchmakerError } from "../domain/errors.js";
import type { Actor } from "../domain/game.js";
import type { GqlContext } from "../graphql/context.js";
import { createErrorFormatter } from "../graphql/errors.js";
import type { Metrics } from "../metrics.js";
import type { GameService } from "../service/game-service.js";

export const GRAPHQL_PATH = "/graphql";

export interface ApiServerDeps {
  schema: GraphQLSchema;
  service: GameService;
  jwt: JwtSettings;
  logger: Logger;
  /** Resolves when every backend answers; drives /readyz. */
  ready: () => Promise<void>;
  metrics: Metrics;
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
}

/**
 * A missing token is anonymous; a game type's serverSecret names a game server; anything
 * else must be a valid player JWT — a present but bad token is refused, never ignored.
 */
async function callerFrom(header: unknown, jwt: JwtSettings, service: GameService): Promise<Caller> {
  const token = bearerToken(header);
  if (!token) return { actor: null, gameServerTypes: [] };
  const gameServerTypes = service.gameTypesForSecret(token);
  if (gameServerTypes.length > 0) return { actor: null, gameServerTypes };
  return { actor: await verifyToken(token, jwt), gameServerTypes: [] };
}

/** GraphQL over HTTP (POST/GET) and graphql-ws on the same path, plus health probes. */
export async function createApiServer(deps: ApiServerDeps): Promise<ApiServer> {
  const { schema, service, jwt, logger } = deps;
  const app = express();
  const http = createServer(app);
  const formatError = createErrorFormatter(logger);

  const wss = new WebSocketServer({ server: http, path: GRAPHQL_PATH });
  const wsServer = useServer<Record<string, unknown>, { caller?: Caller }>(
    {
      schema,
      onConnect: async (ctx) => {
        try {
          const header = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
          ctx.extra.caller = await callerFrom(header, jwt, service);
          return true;
        } catch {
          return false; // graphql-ws closes with 4403 Forbidden
        }
      },
      context: (ctx): GqlContext => ({ actor: null, gameServerTypes: [], ...ctx.extra.caller, service }),
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) } : result,
    },
    wss,
  );

  const apollo = new ApolloServer<GqlContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    // The process owns SIGTERM (cli.ts): left on outside NODE_ENV=test, Apollo would stop on
    // the signal and re-send it, killing the process (exit 143) before the worker acks its batch.
    stopOnTerminationSignals: false,
    plugins: [
      deps.metrics.apolloPlugin,
      ApolloServerPluginDrainHttpServer({ httpServer: http }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsServer.dispose();
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
  app.get("/metrics", async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  app.use(
    GRAPHQL_PATH,
    express.json({ limit: "256kb" }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        try {
          return { ...(await callerFrom(req.headers.authorization, jwt, service)), service };
        } catch (err) {
          const message = err instanceof MatchmakerError ? err.message : "Your token was refused.";
          throw new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
        }
      },
    }),
  );

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
        wss.close();
      })();
      return closing;
    },
  };
}
