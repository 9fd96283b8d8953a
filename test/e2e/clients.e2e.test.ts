/**
 * The three popular GraphQL clients — Apollo Client 4, urql 6 and the graphql-ws reference
 * client — each with its default settings (only the url, a WebSocket implementation where Node
 * lacks one, and the caller's token), against the real API in both modes: what a developer
 * who follows each client's getting-started guide would see.
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { CombinedGraphQLErrors } from "@apollo/client/errors";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { cacheExchange, Client as UrqlClient, CombinedError, fetchExchange, subscriptionExchange } from "@urql/core";
import { parse } from "graphql";
import { type Client as WsClient, createClient, type ExecutionResult } from "graphql-ws";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { gqlOk, type TestApp, tokenFor, waitFor } from "../support/app.js";
import { serverCatalog } from "../support/server-catalog.js";
import { bothModes, watcherReady } from "./modes.js";

// ---------------------------------------------------------------------------------------------
// Operations, as an application would write them.

const GAME_TYPES = /* GraphQL */ `
  query GameTypes {
    gameTypes {
      id
      name
    }
  }
`;
const LOBBY_GAMES = /* GraphQL */ `
  query LobbyGames {
    games(filter: { gameType: "lobby" }) {
      totalCount
      edges {
        node {
          id
        }
      }
    }
  }
`;
const CREATE_LOBBY = /* GraphQL */ `
  mutation CreateLobby {
    createGame(input: { gameType: "lobby", capacity: 4 }) {
      id
      state
      version
      freeSeats
      creator {
        id
        name
      }
      players {
        id
      }
    }
  }
`;
const JOIN_GAME = /* GraphQL */ `
  mutation JoinGame($id: ID!) {
    joinGame(id: $id) {
      id
      version
      players {
        id
      }
    }
  }
`;
const GAME_CHANGED = /* GraphQL */ `
  subscription GameChanged($id: ID!) {
    gameChanged(id: $id) {
      kind
      gameId
      version
      game {
        freeSeats
        players {
          id
        }
      }
    }
  }
`;
const GAME_SEATS = /* GraphQL */ `
  query GameSeats($id: ID!) {
    game(id: $id) {
      id
      seats {
        player {
          id
          name
        }
        joinedAt
        confirmed
      }
      players {
        id
        name
      }
    }
  }
`;
const BOTH_GAMES_SEATS = /* GraphQL */ `
  query BothGamesSeats($a: ID!, $b: ID!) {
    a: game(id: $a) {
      id
      seats {
        player {
          id
          name
        }
        joinedAt
        confirmed
      }
      players {
        id
        name
      }
    }
    b: game(id: $b) {
      id
      seats {
        player {
          id
          name
        }
        joinedAt
        confirmed
      }
      players {
        id
        name
      }
    }
  }
`;

interface Created {
  createGame: { id: string; state: string; version: number; freeSeats: number; creator: { id: string; name: string }; players: { id: string }[] };
}
interface Change {
  gameChanged: { kind: string; gameId: string; version: number; game: { freeSeats: number; players: { id: string }[] } | null };
}
interface SeatsView {
  id: string;
  seats: { player: { id: string; name: string }; joinedAt: string; confirmed: boolean }[];
  players: { id: string; name: string }[];
}

// ---------------------------------------------------------------------------------------------
// One interface over the three clients, so every client is held to the same tests.

/** Subscription results read one at a time, each with a deadline (never a fixed sleep). */
class Feed<T> {
  private readonly items: T[] = [];
  private readonly waiters: { resolve: (v: T) => void; reject: (e: unknown) => void }[] = [];
  private failure: { error: unknown } | null = null;
  push = (v: T) => {
    const w = this.waiters.shift();
    if (w) w.resolve(v);
    else this.items.push(v);
  };
  fail = (error: unknown) => {
    this.failure = { error };
    for (const w of this.waiters.splice(0)) w.reject(error);
  };
  next(timeoutMs = 5_000): Promise<T> {
    const ready = this.items.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure.error);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no subscription result within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    });
  }
}

interface ClientUnderTest {
  /** Resolves with data; rejects with the client's own error for a refused operation. */
  query<T>(doc: string, variables?: Record<string, unknown>): Promise<T>;
  mutate<T>(doc: string, variables?: Record<string, unknown>): Promise<T>;
  /** Results as the client delivers them; a result with errors fails the feed. */
  subscribe<T>(doc: string, variables: Record<string, unknown>): Feed<T>;
  /** The extensions.code of a refusal, checked to arrive as the client's own error type. */
  codeOf(error: unknown): unknown;
  close(): Promise<void>;
}

interface Flavour {
  name: string;
  /** How the client sends a short query by default (null: over the socket, no HTTP at all). */
  queryMethod: "GET" | "POST" | null;
  make(t: TestApp, token?: string): ClientUnderTest;
}

/** The graphql-ws client exactly as its README shows it, plus Node's missing WebSocket. */
const wsClientFor = (t: TestApp, token?: string): WsClient =>
  createClient({
    url: t.wsUrl,
    webSocketImpl: WebSocket,
    ...(token ? { connectionParams: { authorization: `Bearer ${token}` } } : {}),
  });

const authHeaders = (token?: string): Record<string, string> | undefined => (token ? { authorization: `Bearer ${token}` } : undefined);

const apollo: Flavour = {
  name: "Apollo Client",
  queryMethod: "POST",
  make(t, token) {
    const ws = wsClientFor(t, token);
    const client = new ApolloClient({
      link: ApolloLink.split((op) => op.operationType === "subscription", new GraphQLWsLink(ws), new HttpLink({ uri: t.url, headers: authHeaders(token) })),
      cache: new InMemoryCache(),
    });
    const subs: { unsubscribe(): void }[] = [];
    return {
      async query<T>(doc: string, variables?: Record<string, unknown>) {
        return (await client.query<T>({ query: parse(doc), variables })).data as T;
      },
      async mutate<T>(doc: string, variables?: Record<string, unknown>) {
        return (await client.mutate<T>({ mutation: parse(doc), variables })).data as T;
      },
      subscribe<T>(doc: string, variables: Record<string, unknown>) {
        const feed = new Feed<T>();
        subs.push(
          client.subscribe<T>({ query: parse(doc), variables }).subscribe({
            next: (r) => (r.error ? feed.fail(r.error) : feed.push(r.data as T)),
            error: feed.fail,
          }),
        );
        return feed;
      },
      codeOf(error) {
        expect(CombinedGraphQLErrors.is(error), `a CombinedGraphQLErrors, got ${String(error)}`).toBe(true);
        return (error as CombinedGraphQLErrors).errors[0]?.extensions?.code;
      },
      async close() {
        for (const s of subs.splice(0)) s.unsubscribe();
        client.stop();
        await ws.dispose();
      },
    };
  },
};

const urql: Flavour = {
  name: "urql",
  queryMethod: "GET", // preferGetMethod defaults to "within-url-limit"
  make(t, token) {
    const ws = wsClientFor(t, token);
    const client = new UrqlClient({
      url: t.url,
      ...(token ? { fetchOptions: { headers: authHeaders(token) } } : {}),
      exchanges: [
        cacheExchange,
        fetchExchange,
        subscriptionExchange({
          forwardSubscription(request) {
            const input = { ...request, query: request.query || "" };
            return {
              subscribe(sink) {
                const unsubscribe = ws.subscribe(input, sink);
                return { unsubscribe };
              },
            };
          },
        }),
      ],
    });
    const subs: { unsubscribe(): void }[] = [];
    const unwrap = <T>(r: { data?: unknown; error?: CombinedError }): T => {
      if (r.error) throw r.error;
      return r.data as T;
    };
    return {
      async query<T>(doc: string, variables?: Record<string, unknown>) {
        return unwrap<T>(await client.query(doc, variables ?? {}).toPromise());
      },
      async mutate<T>(doc: string, variables?: Record<string, unknown>) {
        return unwrap<T>(await client.mutation(doc, variables ?? {}).toPromise());
      },
      subscribe<T>(doc: string, variables: Record<string, unknown>) {
        const feed = new Feed<T>();
        subs.push(client.subscription(doc, variables).subscribe((r) => (r.error ? feed.fail(r.error) : feed.push(r.data as T))));
        return feed;
      },
      codeOf(error) {
        expect(error, `a CombinedError, got ${String(error)}`).toBeInstanceOf(CombinedError);
        const e = error as CombinedError;
        expect(e.networkError).toBeUndefined();
        return e.graphQLErrors[0]?.extensions?.code;
      },
      async close() {
        for (const s of subs.splice(0)) s.unsubscribe();
        await ws.dispose();
      },
    };
  },
};

/** graphql-ws has no error class: a refusal is a result whose `errors` carry the code. */
class ResultErrors extends Error {
  constructor(readonly errors: readonly { message: string; extensions?: Record<string, unknown> }[]) {
    super(errors.map((e) => e.message).join("; "));
  }
}

const graphqlWs: Flavour = {
  name: "graphql-ws client",
  queryMethod: null,
  make(t, token) {
    const ws = wsClientFor(t, token);
    const unsubs: (() => void)[] = [];
    /** One result of a query or mutation over the socket. */
    const once = <T>(doc: string, variables?: Record<string, unknown>) =>
      new Promise<T>((resolve, reject) => {
        let result: ExecutionResult<T> | undefined;
        ws.subscribe<T>(
          { query: doc, variables },
          {
            next: (r) => (result = r as ExecutionResult<T>),
            // An operation the server refuses before executing it ends with an error message.
            error: (e) => reject(Array.isArray(e) ? new ResultErrors(e) : e),
            complete: () => {
              if (!result) reject(new Error("completed without a result"));
              else if (result.errors?.length) reject(new ResultErrors(result.errors));
              else resolve(result.data as T);
            },
          },
        );
      });
    return {
      query: once,
      mutate: once,
      subscribe<T>(doc: string, variables: Record<string, unknown>) {
        const feed = new Feed<T>();
        unsubs.push(
          ws.subscribe<T>(
            { query: doc, variables },
            {
              next: (r) => (r.errors?.length ? feed.fail(new ResultErrors(r.errors)) : feed.push(r.data as T)),
              error: feed.fail,
              complete: () => feed.fail(new Error("subscription completed")),
            },
          ),
        );
        return feed;
      },
      codeOf(error) {
        expect(error, `errors of a result, got ${String(error)}`).toBeInstanceOf(ResultErrors);
        return (error as ResultErrors).errors[0]?.extensions?.code;
      },
      async close() {
        for (const u of unsubs.splice(0)) u();
        await ws.dispose();
      },
    };
  },
};

/** The HTTP requests made through the global fetch while fn runs (the clients' default fetch). */
async function fetchesDuring<T>(fn: () => Promise<T>): Promise<{ result: T; requests: { method: string; url: URL }[] }> {
  const spy = vi.spyOn(globalThis, "fetch");
  try {
    const result = await fn();
    const requests = spy.mock.calls.map(([input, init]) => {
      const req = input instanceof Request ? input : null;
      return { method: (init?.method ?? req?.method ?? "GET").toUpperCase(), url: new URL(req ? req.url : String(input)) };
    });
    return { result, requests };
  } finally {
    spy.mockRestore();
  }
}

const rejection = async (p: Promise<unknown>): Promise<unknown> => {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected the operation to be refused, but it succeeded");
};

// ---------------------------------------------------------------------------------------------

describe.each(bothModes())("GraphQL clients with their default settings ($name)", (mode) => {
  let t: TestApp;
  let alice: string, bob: string, carol: string;
  const open: ClientUnderTest[] = [];

  beforeEach(async () => {
    // The lobby type has no game server, so nothing is called and a new game is OPEN at once;
    // the hosted "duel" type of this catalog is never used here.
    t = await mode.start({ catalog: serverCatalog("http://127.0.0.1:9") });
    [alice, bob, carol] = await Promise.all([tokenFor("alice"), tokenFor("bob"), tokenFor("carol")]);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    await t.close();
  });
  afterAll(async () => {
    await mode.teardown();
  });

  const plainCreate = async (token: string) => (await gqlOk<Created>(t.url, CREATE_LOBBY, {}, token)).createGame;
  const plainJoin = (id: string, token: string) => gqlOk(t.url, JOIN_GAME, { id }, token);
  const plainSeats = async (id: string) => (await gqlOk<{ game: SeatsView }>(t.url, GAME_SEATS, { id })).game;

  describe.each([apollo, urql, graphqlWs])("$name", (flavour) => {
    const make = (token?: string) => {
      const c = flavour.make(t, token);
      open.push(c);
      return c;
    };

    it("runs queries: the catalog's game types and the lobby's games", async () => {
      const asAlice = make(alice);
      const created = (await asAlice.mutate<Created>(CREATE_LOBBY)).createGame;
      const anonymous = make();

      const { result, requests } = await fetchesDuring(() => anonymous.query<{ gameTypes: { id: string; name: string }[] }>(GAME_TYPES));
      // Sent the client's default way: urql's GET carries the query in the URL.
      expect(requests.map((r) => r.method)).toEqual(flavour.queryMethod ? [flavour.queryMethod] : []);
      if (flavour.queryMethod === "GET") expect(requests[0]!.url.searchParams.get("query")).toMatch(/gameTypes/);
      const types = result.gameTypes;
      expect(types.map(({ id, name }) => ({ id, name })).sort((x, y) => x.id.localeCompare(y.id))).toEqual([
        { id: "duel", name: "Duel" },
        { id: "lobby", name: "Lobby" },
      ]);
      const games = (await anonymous.query<{ games: { totalCount: number; edges: { node: { id: string } }[] } }>(LOBBY_GAMES)).games;
      expect(games.totalCount).toBe(1);
      expect(games.edges.map((e) => e.node.id)).toEqual([created.id]);
    });

    it("runs mutations as the caller, and surfaces a refusal's code through the client's error type", async () => {
      const asBob = make(bob);
      const created = (await make(alice).mutate<Created>(CREATE_LOBBY)).createGame;
      expect(created).toMatchObject({ state: "OPEN", version: 1, freeSeats: 3, creator: { id: "alice", name: "Alice" }, players: [{ id: "alice" }] });

      const joined = (await asBob.mutate<{ joinGame: { version: number; players: { id: string }[] } }>(JOIN_GAME, { id: created.id })).joinGame;
      expect(joined).toMatchObject({ version: 2, players: [{ id: "alice" }, { id: "bob" }] });

      expect(asBob.codeOf(await rejection(asBob.mutate(JOIN_GAME, { id: created.id })))).toBe("ALREADY_JOINED");
      const anonymous = make();
      expect(anonymous.codeOf(await rejection(anonymous.mutate(CREATE_LOBBY)))).toBe("UNAUTHENTICATED");
    });

    it("delivers gameChanged when other players join, with increasing versions", async () => {
      const g = await plainCreate(alice);
      const topic = t.app.backends.bus.topics.game(g.id);
      const before = t.app.backends.bus.localSubscribers(topic);
      const feed = make(alice).subscribe<Change>(GAME_CHANGED, { id: g.id });
      await watcherReady(t, topic, before, mode.redisUrl());

      await plainJoin(g.id, bob);
      expect((await feed.next()).gameChanged).toMatchObject({
        kind: "UPDATED",
        gameId: g.id,
        version: 2,
        game: { freeSeats: 2, players: [{ id: "alice" }, { id: "bob" }] },
      });
      await plainJoin(g.id, carol);
      expect((await feed.next()).gameChanged).toMatchObject({
        kind: "UPDATED",
        gameId: g.id,
        version: 3,
        game: { freeSeats: 1, players: [{ id: "alice" }, { id: "bob" }, { id: "carol" }] },
      });
    });
  });

  describe("cached per-seat data of one player in two games", () => {
    /** alice created A, then (her seat taken later) joined bob's B: her two seats differ. */
    const twoSeats = async () => {
      const a = await plainCreate(alice);
      const aliceInA = (await plainSeats(a.id)).seats.find((s) => s.player.id === "alice")!;
      // Not a wait for an event: only so that the second seat's time can differ (ms precision).
      await waitFor(() => Date.now() > Date.parse(aliceInA.joinedAt) + 20, "a later millisecond");
      const b = await plainCreate(bob);
      await plainJoin(b.id, alice);
      const [plainA, plainB] = [await plainSeats(a.id), await plainSeats(b.id)];
      const seatOf = (g: SeatsView) => g.seats.find((s) => s.player.id === "alice")!;
      expect(seatOf(plainA).joinedAt).not.toBe(seatOf(plainB).joinedAt); // the premise
      return { a, b, plainA, plainB, seatOf };
    };

    /** What the client shows, stripped of __typename, against the server's own answer. */
    const view = (g: SeatsView): SeatsView => ({
      id: g.id,
      seats: g.seats.map((s) => ({ player: { id: s.player.id, name: s.player.name }, joinedAt: s.joinedAt, confirmed: s.confirmed })),
      players: g.players.map((p) => ({ id: p.id, name: p.name })),
    });

    it.each([apollo, urql])("$name shows each game's own seat times", async (flavour) => {
      const { a, b, plainA, plainB, seatOf } = await twoSeats();
      const client = flavour.make(t, alice);
      open.push(client);

      const gotA = (await client.query<{ game: SeatsView }>(GAME_SEATS, { id: a.id })).game;
      const gotB = (await client.query<{ game: SeatsView }>(GAME_SEATS, { id: b.id })).game;
      expect(view(gotA)).toEqual(plainA);
      expect(view(gotB)).toEqual(plainB);
      expect(seatOf(gotA).joinedAt).not.toBe(seatOf(gotB).joinedAt);

      // Asked again after B was written, A comes from the cache (no change since): still its own.
      const again = await fetchesDuring(() => client.query<{ game: SeatsView }>(GAME_SEATS, { id: a.id }));
      expect(again.requests).toEqual([]);
      expect(view(again.result.game)).toEqual(plainA);

      // Both in one document.
      const both = await client.query<{ a: SeatsView; b: SeatsView }>(BOTH_GAMES_SEATS, { a: a.id, b: b.id });
      expect(view(both.a)).toEqual(plainA);
      expect(view(both.b)).toEqual(plainB);
      // The player herself is one entity: the same name in both games.
      expect(both.a.players.find((p) => p.id === "alice")).toEqual(both.b.players.find((p) => p.id === "alice"));
    });
  });
});
