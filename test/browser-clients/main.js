// Apollo Client, urql and graphql-ws in a page on another origin, each with its defaults: the
// end-to-end test drives them through window.clients.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from "@urql/core";
import { parse } from "graphql";
import { createClient } from "graphql-ws";

const changes = () => {
  const seen = [];
  const waiting = [];
  return {
    push(v) {
      const w = waiting.shift();
      if (w) w(v);
      else seen.push(v);
    },
    next: () => (seen.length ? Promise.resolve(seen.shift()) : new Promise((r) => waiting.push(r))),
  };
};

function apollo(url, wsUrl, token) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const ws = createClient({ url: wsUrl, connectionParams: headers });
  const client = new ApolloClient({
    link: ApolloLink.split((op) => op.operationType === "subscription", new GraphQLWsLink(ws), new HttpLink({ uri: url, headers })),
    cache: new InMemoryCache(),
  });
  return {
    query: async (q, variables) => (await client.query({ query: parse(q), variables, fetchPolicy: "network-only" })).data,
    mutate: async (m, variables) => {
      try {
        return (await client.mutate({ mutation: parse(m), variables })).data;
      } catch (err) {
        return { code: err.errors?.[0]?.extensions?.code ?? String(err) };
      }
    },
    subscribe(s, variables) {
      const feed = changes();
      client.subscribe({ query: parse(s), variables }).subscribe({ next: (r) => feed.push(r.data ?? { error: String(r.error) }) });
      return feed;
    },
  };
}

function urql(url, wsUrl, token) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const ws = createClient({ url: wsUrl, connectionParams: headers });
  const client = new Client({
    url,
    fetchOptions: { headers },
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({ subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? "" }, sink) }) }),
      }),
    ],
  });
  const unwrap = (r) => (r.error ? { code: r.error.graphQLErrors?.[0]?.extensions?.code ?? r.error.message } : r.data);
  return {
    query: async (q, variables) => unwrap(await client.query(q, variables, { requestPolicy: "network-only" }).toPromise()),
    mutate: async (m, variables) => unwrap(await client.mutation(m, variables).toPromise()),
    subscribe(s, variables) {
      const feed = changes();
      client.subscription(s, variables).subscribe((r) => feed.push(unwrap(r)));
      return feed;
    },
  };
}

function graphqlWs(url, wsUrl, token) {
  const ws = createClient({ url: wsUrl, connectionParams: token ? { authorization: `Bearer ${token}` } : {} });
  const once = (query, variables) =>
    new Promise((resolve, reject) => {
      let last;
      ws.subscribe({ query, variables }, {
        next: (r) => (last = r.errors ? { code: r.errors[0].extensions?.code } : r.data),
        error: (e) => reject(new Error(e.reason ?? String(e))),
        complete: () => resolve(last),
      });
    });
  return {
    query: once,
    mutate: once,
    subscribe(s, variables) {
      const feed = changes();
      ws.subscribe({ query: s, variables }, { next: (r) => feed.push(r.data), error: () => {}, complete: () => {} });
      return feed;
    },
  };
}

const kinds = { apollo, urql, "graphql-ws": graphqlWs };
const feeds = new Map();
window.clients = {
  make: (kind, url, wsUrl, token) => {
    window.clients[kind] = kinds[kind](url, wsUrl, token);
  },
  subscribe: (kind, s, variables) => feeds.set(kind, window.clients[kind].subscribe(s, variables)),
  nextChange: (kind) => feeds.get(kind).next(),
};
