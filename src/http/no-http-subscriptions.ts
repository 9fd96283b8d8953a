import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";

/**
 * A subscription sent over HTTP would run its resolver without a change to deliver; it is
 * refused before execution with a pointer to the socket, where subscriptions live.
 */
export function noHttpSubscriptions(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== "subscription") return;
          throw new GraphQLError("Subscriptions run over graphql-ws: open a WebSocket to this same URL (ws:// or wss://) and subscribe there.", {
            extensions: { code: "BAD_REQUEST", http: { status: 400 } },
          });
        },
      };
    },
  };
}
