/**
 * GraphiQL, bundled: nothing is loaded from a CDN, so it works offline. Queries and mutations go
 * over HTTP, subscriptions over graphql-ws on the same path — with the token of the headers
 * editor (prefilled with the lobby page's token, if one is saved in this browser).
 */
import { createGraphiQLFetcher, type Fetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/style.css";
import { parse } from "graphql";
import { type Client, createClient } from "graphql-ws";
import { createElement } from "react";
import { createRoot } from "react-dom/client";
import { loadToken, normalizeToken } from "./token.js";
import "./graphiql.css";

const GRAPHQL_PATH = "/graphql";
const httpUrl = new URL(GRAPHQL_PATH, location.href).toString();
const wsUrl = httpUrl.replace(/^http/, "ws");

const EXAMPLE = `# The matchmaker's GraphQL API.
# Mutations need a player token in Headers:
#   {"Authorization": "Bearer <token>"}
# For development, print one with
#   npm run -s matchmaker -- token --sub alice --name Alice
# (the lobby page's saved token is filled in for you).
# Subscriptions (gameChanged) run over graphql-ws.

{
  gameTypes {
    id
    name
    maxPlayers
    regions
    labels { key kind }
  }
  games(filter: { minFreeSeats: 1 }, first: 10) {
    totalCount
    edges { node { id gameType { id } state freeSeats region labels } }
  }
}
`;

/** The token of an `Authorization` header in the headers editor (any case, with or without "Bearer "). */
const tokenOf = (headers: Record<string, unknown> | undefined): string => {
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() === "authorization" && typeof v === "string") return normalizeToken(v);
  return "";
};

/** One graphql-ws client per token: a socket authenticates once, when it connects. */
const perToken = new Map<string, { ws: Client; fetcher: Fetcher }>();
const fetcherFor = (token: string): Fetcher => {
  let entry = perToken.get(token);
  if (!entry) {
    for (const [other, e] of perToken) {
      // A new token replaces the old ones (their subscriptions end).
      void e.ws.dispose();
      perToken.delete(other);
    }
    const ws = createClient({ url: wsUrl, lazy: true, retryAttempts: 3, connectionParams: token ? { authorization: `Bearer ${token}` } : {} });
    entry = { ws, fetcher: createGraphiQLFetcher({ url: httpUrl, wsClient: ws, enableIncrementalDelivery: false }) };
    perToken.set(token, entry);
  }
  return entry.fetcher;
};
/**
 * The query editor parses its text 100 ms after a change: run at once, and GraphiQL would hand
 * over the previous document, sending a new subscription over HTTP. So it is parsed here.
 */
const documentOf = (query: string) => {
  try {
    return parse(query);
  } catch {
    return undefined; // the server says what is wrong with it
  }
};
const fetcher: Fetcher = (params, opts) => fetcherFor(tokenOf(opts?.headers))(params, { ...opts, documentAST: documentOf(params.query) ?? opts?.documentAST });

const saved = loadToken();
const query = new URLSearchParams(location.search).get("query") ?? undefined;

createRoot(document.getElementById("graphiql")!).render(
  createElement(
    GraphiQL,
    {
      fetcher,
      defaultQuery: EXAMPLE,
      query,
      defaultHeaders: saved ? JSON.stringify({ Authorization: `Bearer ${saved}` }, null, 2) : undefined,
      defaultEditorToolsVisibility: saved ? "headers" : false,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    },
    createElement(GraphiQL.Logo, null, createElement("a", { href: "/", className: "mm-home", title: "The lobby page" }, "Matchmaker")),
  ),
);
