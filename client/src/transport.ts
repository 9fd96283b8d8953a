import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { createClient, type Client as WsClient, type ClientOptions as WsOptions } from "graphql-ws";
import { errorFromGraphQL, type GraphQLErrorLike, MatchmakerError } from "./errors.js";

export type TokenSource = string | null | undefined | (() => string | null | undefined | Promise<string | null | undefined>);

export interface TransportOptions {
  /** The API's GraphQL endpoint, e.g. `http://localhost:4000/graphql` (or a path like `/graphql` in a browser). */
  url: string;
  /** Its graphql-ws endpoint; default: `url` with http(s) turned into ws(s). */
  wsUrl?: string;
  /** A player token, or a function returning the current one (read per request and per connection). */
  token?: TokenSource;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** A WebSocket implementation where there is no global one (Node 20: `import WebSocket from "ws"`). */
  webSocketImpl?: unknown;
  /** Extra graphql-ws client options (retries, keep-alive, lazy…), merged over this client's; `on` listeners run besides its own. */
  ws?: Partial<WsOptions>;
}

export interface Sink<T> {
  next(value: T): void;
  error?(err: MatchmakerError): void;
  complete?(): void;
}

const CLOSE_REASON_NO_RETRY = new Set([4400, 4401, 4403, 4406, 4409, 4429, 4500]);

/**
 * What a subscription frame means for its sink: its data, even when some of its fields failed (a
 * nullable field's read, answered null with an error beside it: the rest of the frame is good), or
 * an error when the operation itself failed (no data, or an error at its root field).
 */
export function frameOutcome<TData>(r: { data?: TData | null; errors?: readonly GraphQLErrorLike[] }): { data: TData } | { error: MatchmakerError } | null {
  const rootFailed = r.errors?.some((e) => !e.path || e.path.length <= 1) ?? false;
  if (r.data && !rootFailed) return { data: r.data };
  if (r.errors?.length) return { error: errorFromGraphQL(r.errors as GraphQLErrorLike[]) };
  return null;
}

export function wsUrlOf(url: string): string {
  // In a browser a relative url ("/graphql") is relative to the page.
  const base = (globalThis as { location?: { href: string } }).location?.href;
  const u = new URL(url, base);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  return u.toString();
}

const readToken = async (t: TokenSource) => (typeof t === "function" ? await t() : t) ?? null;

/** One HTTP request per operation; one lazily opened graphql-ws socket for every subscription. */
export class Transport {
  private ws: WsClient | null = null;
  private readonly reconnectListeners = new Set<() => void>();

  constructor(private readonly opts: TransportOptions) {}

  async request<TData, TVars>(doc: TypedDocumentNode<TData, TVars>, variables?: TVars): Promise<TData> {
    const token = await readToken(this.opts.token);
    const doFetch = this.opts.fetch ?? fetch;
    let res: Response;
    try {
      res = await doFetch(this.opts.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/graphql-response+json, application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query: print(doc), variables: variables ?? {} }),
      });
    } catch (err) {
      throw new MatchmakerError("NETWORK_ERROR", `The matchmaker at ${this.opts.url} could not be reached: ${(err as Error).message}`);
    }
    let body: { data?: TData | null; errors?: GraphQLErrorLike[] } | undefined;
    try {
      body = (await res.json()) as typeof body;
    } catch {
      throw new MatchmakerError(`HTTP_${res.status}`, `The matchmaker answered ${res.status} without a GraphQL response.`);
    }
    if (body?.errors?.length) throw errorFromGraphQL(body.errors);
    if (!body || body.data === undefined || body.data === null) {
      throw new MatchmakerError(`HTTP_${res.status}`, `The matchmaker answered ${res.status} without data.`);
    }
    return body.data;
  }

  /** Starts a subscription; returns its stop function. Errors end it (after graphql-ws's own retries for network loss). */
  subscribe<TData, TVars>(doc: TypedDocumentNode<TData, TVars>, variables: TVars | undefined, sink: Sink<TData>): () => void {
    return this.socket().subscribe<TData>(
      { query: print(doc), variables: (variables ?? {}) as Record<string, unknown> },
      {
        next: (r) => {
          const o = frameOutcome<TData>(r as { data?: TData | null; errors?: readonly GraphQLErrorLike[] });
          if (o && "data" in o) sink.next(o.data);
          else if (o) sink.error?.(o.error);
        },
        error: (err) => sink.error?.(socketError(err)),
        complete: () => sink.complete?.(),
      },
    );
  }

  /** Called each time the socket connects again after a loss: subscribers may have missed changes. */
  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  async close(): Promise<void> {
    const ws = this.ws;
    this.ws = null;
    await ws?.dispose();
  }

  private socket(): WsClient {
    if (this.ws) return this.ws;
    let connectedBefore = false;
    const { on: extraOn, ...extra } = this.opts.ws ?? {};
    this.ws = createClient({
      url: this.opts.wsUrl ?? wsUrlOf(this.opts.url),
      webSocketImpl: this.opts.webSocketImpl,
      connectionParams: async () => {
        const token = await readToken(this.opts.token);
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      // The server's refusals (bad token, limits) will not change by retrying. A token that expired
      // while open (4419) is retried: connectionParams reads the current token for the new socket.
      shouldRetry: (e) => !(isCloseEvent(e) && CLOSE_REASON_NO_RETRY.has(e.code)),
      retryAttempts: 8,
      ...extra,
      // The caller's listeners run too: replacing `connected` would lose the resync after a reconnect.
      on: {
        ...extraOn,
        connected: (...args) => {
          if (connectedBefore) for (const l of this.reconnectListeners) l();
          connectedBefore = true;
          extraOn?.connected?.(...args);
        },
      },
    });
    return this.ws;
  }
}

interface CloseLike {
  code: number;
  reason: string;
}
const isCloseEvent = (e: unknown): e is CloseLike => typeof e === "object" && e !== null && "code" in e && "reason" in e;

function socketError(err: unknown): MatchmakerError {
  if (Array.isArray(err)) return errorFromGraphQL(err as GraphQLErrorLike[]);
  if (isCloseEvent(err)) {
    const code = err.code === 4401 || err.code === 4419 ? "UNAUTHENTICATED" : err.code === 4429 ? "RATE_LIMITED" : `WS_CLOSED_${err.code}`;
    return new MatchmakerError(code, err.reason || `The subscription socket closed (${err.code}).`, { closeCode: err.code });
  }
  return new MatchmakerError("NETWORK_ERROR", err instanceof Error ? err.message : "The subscription socket failed.");
}
