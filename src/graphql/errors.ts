import { unwrapResolverError } from "@apollo/server/errors";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import type { Logger } from "pino";
import { ErrorCode, MatchmakerError } from "../domain/errors.js";

/** Codes graphql-js / Apollo attach themselves (parse, validation, variable coercion): passed through. */
const FRAMEWORK_CODES = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
  ErrorCode.UNAUTHENTICATED,
]);

const QUERY_LIMIT = /^(Syntax Error: )?((Aliases|Query depth|Token|Directives|Query Cost) limit of \d+ exceeded|Document contains more that \d+ tokens)/;
// graphql-js gives up validating a document whose fields would take too long to compare.
const VALIDATION_ABORTED = /^Validation aborted\.$/;

const BACKEND_DOWN = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection is closed|MaxRetriesPerRequestError|CLUSTERDOWN|LOADING/;

/**
 * Every error leaves with an `extensions.code` from ErrorCode (or a framework code for
 * malformed requests) and a message a person can act on; unexpected errors are logged
 * here and reach the client as INTERNAL_SERVER_ERROR without details or stack.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const unwrapped = unwrapResolverError(error);
    // Refusals made outside a resolver (graphql-ws's onSubscribe) carry theirs as originalError too.
    const original = unwrapped instanceof GraphQLError && unwrapped.originalError instanceof MatchmakerError ? unwrapped.originalError : unwrapped;
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
    if (original instanceof MatchmakerError) {
      return { ...base, message: original.message, extensions: { code: original.code, ...original.details } };
    }
    if (original instanceof Error && BACKEND_DOWN.test(`${original.name} ${original.message}`)) {
      logger.warn({ err: original }, "backend unavailable");
      return {
        ...base,
        message: "The matchmaker's storage is unreachable right now; retry in a moment.",
        extensions: { code: ErrorCode.BACKEND_UNAVAILABLE },
      };
    }
    // graphql-armor's refusals (aliases, depth, tokens, directives, cost) reach us as validation or parse failures.
    if (QUERY_LIMIT.test(formatted.message)) {
      return { ...base, message: formatted.message.replace(/^Syntax Error: /, "").replace("more that", "more than"), extensions: { code: ErrorCode.BAD_USER_INPUT } };
    }
    if (VALIDATION_ABORTED.test(formatted.message)) {
      return { ...base, message: "The operation has too many fields to check; send a smaller one.", extensions: { code: ErrorCode.BAD_USER_INPUT } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === "string" && FRAMEWORK_CODES.has(code)) return { ...base, extensions: { code } };
    logger.error({ err: original, path: formatted.path }, "unexpected error in a GraphQL operation");
    return { ...base, message: "Internal error; it has been logged.", extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
}
