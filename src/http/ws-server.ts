import type { Server } from "node:http";
import { type ExecutionArgs, GraphQLError, type GraphQLFormattedError, type GraphQLSchema, getOperationAST, subscribe } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { type WebSocket, WebSocketServer } from "ws";
import { ErrorCode, MatchmakerError } from "../domain/errors.js";
import type { GqlContext } from "../graphql/context.js";
import type { Metrics } from "../metrics.js";
import type { GameService } from "../service/game-service.js";
import { clientAddress } from "./client-address.js";
import type { QueryGuard } from "./query-guard.js";
import { tokenParam } from "./connection-params.js";
import type { RateLimits } from "../ratelimit/rate-limits.js";
import { createSharedFrames, shareKey } from "./shared-frames.js";

/** Close codes of the graphql-ws socket this server sends itself (graphql-ws adds its own for protocol errors). */
export const WS_CLOSE = {
  /**
   * The token was refused when the connection opened (reason "Unauthorized: …": expired, bad
   * signature, not a JWT, wrong algorithm, bad claims, or a connectionParams key that is not
   * read): connect with a valid one. graphql-ws clients do not retry this code.
   */
  UNAUTHORIZED: 4401,
  /**
   * The connection's token expired while it was open (reason "Token expired: …"): reconnect with
   * a fresh one. Not 4401, which graphql-ws clients never retry: they retry this code, and one whose
   * connectionParams is a function sends its current token on the new connection.
   */
  TOKEN_EXPIRED: 4419,
  /** A frame larger than HTTP_MAX_BODY_BYTES (the ws library's own code). */
  MESSAGE_TOO_BIG: 1009,
  /**
   * The client read slower than its changes came: more than WS_MAX_BUFFERED_BYTES waited to be
   * sent (reason "Too slow: …"). graphql-ws clients retry it; resync by `version` after.
   */
  TOO_SLOW: 1013,
} as const;

/** Who is on a connection, decided once when it opens. */
export interface WsCaller {
  actor: GqlContext["actor"];
  gameServerTypes: string[];
  /** When the connection's token expires (epoch ms); null without a token. */
  expiresAt: number | null;
}

export interface WsLimits {
  maxPayloadBytes: number;
  maxSubscriptions: number;
  maxConnectionsPerAddress: number;
  /** Bytes waiting on one socket past which it is closed with TOO_SLOW. */
  maxBufferedBytes: number;
  trustProxyHops: number;
  /** Whether a browser page of this Origin may open a socket (CORS_ORIGINS; `host`: the upgrade's Host, for the API's own pages). */
  originAllowed: (origin: string | undefined, host?: string) => boolean;
}

type Extra = {
  caller?: WsCaller;
  address: string;
  subscriptions: Set<string>;
  operations: Map<string, { name: string | null | undefined; type: string }>;
  expiry?: NodeJS.Timeout;
};

const MAX_TIMER_MS = 2 ** 31 - 1;

// Carries a MatchmakerError, so the error formatter keeps its code.
const refusal = (code: ErrorCode, message: string) => new GraphQLError(message, { originalError: new MatchmakerError(code, message) });

/**
 * graphql-ws on `http` at `path`, with the same limits as HTTP and bounds of its own: frames no
 * larger than the HTTP body limit, at most `maxSubscriptions` subscriptions per connection and
 * `maxConnectionsPerAddress` connections per client address (a further upgrade is answered
 * 429), and a connection's token checked for expiry — operations after it are refused and the
 * socket is closed with 4419 (which clients retry with a fresh token). Operations are counted in the metrics like HTTP ones.
 */
export function attachGraphqlWs(deps: {
  http: Server;
  path: string;
  schema: GraphQLSchema;
  guard: QueryGuard;
  service: GameService;
  metrics: Metrics;
  rateLimits: RateLimits;
  limits: WsLimits;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** Who a connection's `authorization` names; rejects to refuse the connection. */
  caller: (authorization: unknown) => Promise<WsCaller>;
}) {
  const { schema, guard, metrics, limits, formatError, service, rateLimits } = deps;
  const perAddress = new Map<string, number>();
  const wss = new WebSocketServer({
    server: deps.http,
    path: deps.path,
    maxPayload: limits.maxPayloadBytes,
    verifyClient: ({ req }, done) => {
      // A browser always sends its page's Origin: pages of other sites may not use a player's socket.
      if (!limits.originAllowed(req.headers.origin, req.headers.host)) return done(false, 403, "Origin not allowed (CORS_ORIGINS)");
      const address = clientAddress(req, limits.trustProxyHops);
      if ((perAddress.get(address) ?? 0) >= limits.maxConnectionsPerAddress) return done(false, 429, "Too many connections from this address");
      done(true);
    },
  });
  // Registered before graphql-ws's own listener, so counts are in place before it acts.
  wss.on("connection", (socket: WebSocket, req) => {
    const address = clientAddress(req, limits.trustProxyHops);
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    metrics.wsConnections.inc();
    socket.once("close", () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
      metrics.wsConnections.dec();
    });
  });

  const extraOf = (ctx: { extra: unknown }) => ctx.extra as { socket: WebSocket; request: Parameters<typeof clientAddress>[0] } & Partial<Extra>;
  const state = (ctx: { extra: unknown }): Extra => {
    const e = extraOf(ctx);
    e.address ??= clientAddress(e.request, limits.trustProxyHops);
    e.subscriptions ??= new Set();
    e.operations ??= new Map();
    return e as Extra;
  };
  const expired = (e: Extra) => e.caller?.expiresAt != null && Date.now() >= e.caller.expiresAt;

  const shared = createSharedFrames(formatError, {
    maxBufferedBytes: limits.maxBufferedBytes,
    tooSlow: (socket) => socket.close(WS_CLOSE.TOO_SLOW, `Too slow: over ${limits.maxBufferedBytes} bytes waited to be sent; reconnect`),
  });
  const server = useServer<Record<string, unknown>, Extra>(
    {
      schema,
      subscribe: (args) => shared.subscribe(args, subscribe) as ReturnType<typeof subscribe>,
      onConnect: async (ctx) => {
        const e = state(ctx);
        // Its address is all a connection needs of the upgrade request: held for the connection's
        // life, the request and its headers were ~1 KB of each idle subscriber's memory.
        // (Cleared, not deleted: a deleted property would turn the object into a slower, larger dictionary.)
        (extraOf(ctx) as Partial<{ request: unknown }>).request = undefined;
        // Refused with 4401 and the reason: graphql-ws clients do not retry it (its own 4403 they retry, reasonless).
        const refuse = (reason: string) => {
          extraOf(ctx).socket.close(WS_CLOSE.UNAUTHORIZED, `Unauthorized: ${reason}`.slice(0, 123));
          return false;
        };
        const param = tokenParam(ctx.connectionParams);
        if ("unreadKey" in param) return refuse(`connectionParams.${param.unreadKey} is not read; send { authorization: "Bearer <token>" }`);
        try {
          e.caller = await deps.caller(param.token);
        } catch (err) {
          const reason = err instanceof MatchmakerError ? err.details?.reason : undefined;
          return refuse(typeof reason === "string" ? `token refused (${reason})` : "token refused");
        }
        const until = e.caller.expiresAt;
        if (until !== null) {
          // The token stops counting at its expiry, whatever the connection is doing then. Node
          // fires a timer of more than 2^31 − 1 ms at once, so a far expiry is reached in steps.
          const arm = () => {
            const left = until - Date.now();
            if (left <= 0) return extraOf(ctx).socket.close(WS_CLOSE.TOKEN_EXPIRED, "Token expired: reconnect with a new one");
            e.expiry = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
            e.expiry.unref();
          };
          arm();
        }
        return true;
      },
      onClose: (ctx) => {
        const e = state(ctx);
        if (e.expiry) clearTimeout(e.expiry);
        metrics.wsSubscriptions.dec(e.subscriptions.size);
        e.subscriptions.clear();
      },
      onSubscribe: async (ctx, id, payload) => {
        const e = state(ctx);
        const fail = (errors: readonly GraphQLError[], type = "unknown") => {
          metrics.countOperation({ transport: "ws", name: payload.operationName, type, code: errors[0]?.extensions?.code ?? "BAD_REQUEST" });
          return errors;
        };
        if (expired(e)) {
          extraOf(ctx).socket.close(WS_CLOSE.TOKEN_EXPIRED, "Token expired: reconnect with a new one");
          return fail([refusal(ErrorCode.UNAUTHENTICATED, "Your token has expired; reconnect with a new one.")]);
        }
        // The same budgets as over HTTP, spent before anything is parsed: the socket is no way around them.
        const spender = { actor: e.caller?.actor ?? null, gameServerTypes: e.caller?.gameServerTypes, clientAddress: e.address };
        const spend = async (what: "operation" | "subscription"): Promise<GraphQLError | null> => {
          try {
            await rateLimits[what](spender);
            return null;
          } catch (err) {
            if (err instanceof MatchmakerError) return new GraphQLError(err.message, { originalError: err });
            throw err;
          }
        };
        const overBudget = await spend("operation");
        if (overBudget) return fail([overBudget]);
        const checked = guard.checkOperation(payload.query, payload.variables);
        if ("errors" in checked) return fail(checked.errors);
        const operation = getOperationAST(checked.document, payload.operationName);
        if (!operation) return fail([refusal(ErrorCode.BAD_USER_INPUT, "No operation of that name in the document.")]);
        const type = operation.operation;
        const overCap = () => type === "subscription" && e.subscriptions.size >= limits.maxSubscriptions;
        const capRefusal = () => refusal(ErrorCode.RATE_LIMITED, `At most ${limits.maxSubscriptions} subscriptions per connection; end one first.`);
        if (overCap()) return fail([capRefusal()], type);
        const tooMany = type === "subscription" ? await spend("subscription") : null;
        if (tooMany) return fail([tooMany], type);
        // Other subscribes may have run meanwhile, or the socket closed: decide again, now synchronously.
        if (overCap()) return fail([capRefusal()], type);
        if (extraOf(ctx).socket.readyState !== extraOf(ctx).socket.OPEN) return fail([refusal(ErrorCode.BAD_USER_INPUT, "The connection closed.")], type);
        if (type === "subscription") {
          e.subscriptions.add(id);
          metrics.wsSubscriptions.inc();
        }
        e.operations.set(id, { name: payload.operationName, type });
        const contextValue: GqlContext = { actor: null, gameServerTypes: [], ...e.caller, service, clientAddress: e.address, limits: rateLimits };
        const args: ExecutionArgs = { schema, document: checked.document, variableValues: payload.variables, operationName: payload.operationName, contextValue };
        if (type !== "subscription") return args;
        const key = shareKey(payload.query, payload.variables, payload.operationName, checked.document, JSON.stringify(e.caller?.actor ?? null));
        return shared.register(args, { socket: extraOf(ctx).socket, id, key });
      },
      // A subscription is counted once its resolver has answered: a stream is ok, a result is its refusal.
      onOperation: async (ctx, id, payload, _args, pending) => {
        const op = state(ctx).operations.get(id);
        if (op?.type !== "subscription") return;
        const result = await pending;
        const refused = Symbol.asyncIterator in result ? undefined : result.errors?.[0];
        // The code clients see is given by formatError (a MatchmakerError is the original error).
        const code = refused ? (formatError(refused.toJSON(), refused).extensions?.code ?? "INTERNAL_SERVER_ERROR") : undefined;
        metrics.countOperation({ transport: "ws", name: payload.operationName, type: op.type, code });
      },
      onNext: (ctx, id, _payload, _args, result) => {
        const e = state(ctx);
        const op = e.operations.get(id);
        // A query or mutation has one result: count it there (subscriptions in onOperation).
        if (op && op.type !== "subscription") {
          metrics.countOperation({ transport: "ws", name: op.name, type: op.type, code: result.errors?.[0]?.extensions?.code });
          e.operations.delete(id);
        }
        return result.errors ? { ...result, errors: result.errors.map((err) => formatError(err.toJSON(), err)) } : result;
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((err) => formatError(err.toJSON(), err)),
      onComplete: (ctx, id) => {
        const e = state(ctx);
        e.operations.delete(id);
        if (e.subscriptions.delete(id)) metrics.wsSubscriptions.dec();
      },
    },
    wss,
  );

  return {
    /** Ends every connection's subscriptions and closes them (graphql-ws dispose). */
    dispose: () => server.dispose(),
    close: () => wss.close(),
  };
}
