import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";
import { ErrorCode, MatchmakerError } from "../domain/errors.js";
import type { GqlContext } from "../graphql/context.js";

/**
 * A rate-limit refusal thrown outside a resolver: the formatter keeps its code and
 * retryAfterSeconds (originalError), and over HTTP it is a 429 with Retry-After.
 */
export function asRequestRefusal(err: MatchmakerError): GraphQLError {
  const retryAfter = Number(err.details?.retryAfterSeconds ?? 1);
  return new GraphQLError(err.message, {
    originalError: err,
    extensions: { code: err.code, http: { status: 429, headers: new Map([["retry-after", String(retryAfter)]]) } },
  });
}

/** Every HTTP operation spends one point of its address's operations budget before it runs. */
export function rateLimitPlugin(): ApolloServerPlugin<GqlContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue }) {
          try {
            await contextValue.limits.operation(contextValue);
          } catch (err) {
            if (err instanceof MatchmakerError && err.code === ErrorCode.RATE_LIMITED) throw asRequestRefusal(err);
            throw err;
          }
        },
      };
    },
  };
}
