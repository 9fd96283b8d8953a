import type { ApolloServerPlugin } from "@apollo/server";
import Negotiator from "negotiator";

// Request errors of a well-formed request: the document does not parse or validate, or the variables do not fit.
const REQUEST_ERRORS = new Set(["GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"]);

const JSON_TYPE = "application/json";
const GRAPHQL_RESPONSE_TYPE = "application/graphql-response+json";

/** The media type Apollo answers with for this Accept (the same negotiation Apollo does; no Accept: JSON). */
function answeredAs(accept: string | undefined): string | undefined {
  if (!accept) return JSON_TYPE;
  return new Negotiator({ headers: { accept } }).mediaType([JSON_TYPE, GRAPHQL_RESPONSE_TYPE]);
}

/**
 * The GraphQL-over-HTTP spec: a response sent as `application/json` SHOULD be 200 for every
 * well-formed request, its errors in the body (clients of that media type read the body, not
 * the status); `application/graphql-response+json` keeps the 4xx of request errors.
 */
export function jsonStatusPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response }) {
          if (response.http.status !== 400 || response.body.kind !== "single") return;
          if (answeredAs(request.http?.headers.get("accept")) !== JSON_TYPE) return;
          const errors = response.body.singleResult.errors ?? [];
          if (errors.length > 0 && errors.every((e) => REQUEST_ERRORS.has(String(e.extensions?.code)))) response.http.status = 200;
        },
      };
    },
  };
}
