import { randomBytes } from "node:crypto";
import { type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";

/** One game as the fake game server keeps it. */
export interface FakeGame {
  gameToken: string;
  creator: string;
  /** userId → username, creator included. */
  players: Map<string, string>;
}

/** A request exactly as it reached the server. */
export interface RecordedRequest {
  method: string;
  /** e.g. "/create_game" */
  path: string;
  /** The body parsed as JSON, or undefined when it was not JSON. */
  body: unknown;
  rawBody: string;
  /** Lower-cased names, as node:http gives them. */
  headers: IncomingHttpHeaders;
}

export interface FailOptions {
  status: number;
  /** Sent as `{"message": …}`. */
  message?: string;
  /** Sent verbatim instead of `{"message"}` (e.g. a non-JSON answer). */
  body?: string;
  /** How many requests to fail; default: every one until reset(). */
  times?: number;
}

/** A real HTTP game server that follows docs/game-server-contract.md §2 like the original generation. */
export interface FakeGameServer {
  /** http://127.0.0.1:<port> (use as the game type's serverUrl) */
  readonly url: string;
  readonly port: number;
  /** gameId → game; tests may inspect or edit it. */
  readonly games: Map<string, FakeGame>;
  /** Every request received, in order, faulted ones included. */
  readonly requests: RecordedRequest[];
  requestsTo(path: string): RecordedRequest[];
  /** Answer requests to `path` with `status` instead of handling them (state untouched). */
  fail(path: string, options: FailOptions): void;
  /**
   * Wait `ms` before handling requests to `path`. The request is still handled after the
   * wait even if the caller gave up, as a real server would (a timed-out create may exist).
   */
  delay(path: string, ms: number, times?: number): void;
  /** Destroy the connection of requests to `path` without answering (connection reset). */
  hangUp(path: string, times?: number): void;
  /** Drops all programmed faults, recorded requests and games; requests still delayed are dropped unanswered. */
  reset(): void;
  /** Stops listening and drops open connections, so calls get "connection refused"; games are kept. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** stop() for good; safe to call twice. */
  close(): Promise<void>;
}

export interface FakeGameServerOptions {
  /** When set, control calls without `Authorization: Bearer <secret>` get 401 (the extension). */
  secret?: string;
}

type Fault =
  | { kind: "fail"; status: number; body: string; left: number }
  | { kind: "delay"; ms: number; left: number }
  | { kind: "hangUp"; left: number };

const normalize = (path: string) => (path.startsWith("/") ? path : `/${path}`);

/**
 * Starts a fake game server on a free port on 127.0.0.1. Rejects if it cannot listen
 * (start() too, when something else took the port while it was stopped).
 * Unknown paths answer 404, non-POST 405, bodies that are not JSON or miss fields 400.
 */
export async function startFakeGameServer(options: FakeGameServerOptions = {}): Promise<FakeGameServer> {
  let port = 0;
  const games = new Map<string, FakeGame>();
  const requests: RecordedRequest[] = [];
  const faults = new Map<string, Fault[]>();
  let server: Server | null = null;
  let closed = false;
  // Bumped by reset(): a request delayed across a reset must not leak into the next test's games.
  let generation = 0;

  /** The first active fault of `kind` for `path`, consumed once. */
  function take<K extends Fault["kind"]>(path: string, kind: K): Extract<Fault, { kind: K }> | undefined {
    const fault = faults.get(path)?.find((f) => f.kind === kind && f.left > 0);
    if (fault) fault.left--;
    return fault as Extract<Fault, { kind: K }> | undefined;
  }
  function addFault(path: string, fault: Fault): void {
    const key = normalize(path);
    faults.set(key, [...(faults.get(key) ?? []), fault]);
  }

  /** The contract's handlers; answers [status, JSON body]. */
  function handle(path: string, body: unknown): [number, unknown] {
    const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    const str = (k: string) => (typeof b[k] === "string" && b[k] !== "" ? (b[k] as string) : undefined);
    const gameId = str("gameId");
    if (!gameId) return [400, { message: "gameId is required" }];
    const game = games.get(gameId);
    switch (path) {
      case "/create_game":
      case "/join_game": {
        const userId = str("userId");
        const username = str("username");
        if (!userId || !username) return [400, { message: "userId and username are required" }];
        if (path === "/join_game") {
          if (!game) return [400, { message: "game not found" }];
          game.players.set(userId, username);
          return [200, {}];
        }
        if (game) return [400, { message: "game already exists" }];
        const gameToken = randomBytes(16).toString("hex");
        games.set(gameId, { gameToken, creator: userId, players: new Map([[userId, username]]) });
        return [200, { gameToken }];
      }
      case "/remove_game":
        games.delete(gameId);
        return [200, {}];
      case "/remove_player": {
        const userId = str("userId");
        if (!userId) return [400, { message: "userId is required" }];
        if (!game?.players.delete(userId)) return [404, { message: "player not in game" }];
        return [200, {}];
      }
      default:
        return [404, { message: "not found" }];
    }
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      body = undefined;
    }
    const path = (req.url ?? "/").split("?")[0]!;
    requests.push({ method: req.method ?? "", path, body, rawBody, headers: req.headers });

    const send = (status: number, text: string) => {
      // The caller may have timed out and the socket be gone; nothing to answer then.
      if (res.destroyed || res.writableEnded) return;
      // No keep-alive, like the original Flask/werkzeug servers: after stop() a call then meets a
      // refused connection, not a pooled socket the server has just closed.
      res.writeHead(status, { "content-type": "application/json", connection: "close" }).end(text);
    };
    const wait = take(path, "delay");
    if (wait) {
      const before = generation;
      await new Promise((r) => setTimeout(r, wait.ms));
      if (generation !== before) return void res.destroy();
    }
    if (take(path, "hangUp")) {
      req.socket.destroy();
      return;
    }
    const fault = take(path, "fail");
    if (fault) return send(fault.status, fault.body);
    if (req.method !== "POST") return send(405, JSON.stringify({ message: "use POST" }));
    if (options.secret !== undefined && req.headers.authorization !== `Bearer ${options.secret}`) {
      return send(401, JSON.stringify({ message: "bad or missing bearer token" }));
    }
    if (body === undefined) return send(400, JSON.stringify({ message: "body is not JSON" }));
    const [status, answer] = handle(path, body);
    send(status, JSON.stringify(answer));
  }

  function listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const srv = createServer((req, res) => {
        onRequest(req, res).catch(() => res.destroy());
      });
      srv.once("error", reject);
      // Port 0 the first time (no race with other workers for a "free" port), then the same one again.
      srv.listen(port, "127.0.0.1", () => {
        srv.off("error", reject);
        port = (srv.address() as { port: number }).port;
        server = srv;
        resolve();
      });
    });
  }

  async function stop(): Promise<void> {
    const srv = server;
    if (!srv) return;
    server = null;
    const done = new Promise<void>((resolve) => srv.close(() => resolve()));
    // Keep-alive sockets would hold close() open and let the next call through.
    srv.closeAllConnections();
    await done;
  }

  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    games,
    requests,
    requestsTo: (path) => requests.filter((r) => r.path === normalize(path)),
    fail(path, { status, message = "injected failure", body, times = Infinity }) {
      addFault(path, { kind: "fail", status, body: body ?? JSON.stringify({ message }), left: times });
    },
    delay(path, ms, times = Infinity) {
      addFault(path, { kind: "delay", ms, left: times });
    },
    hangUp(path, times = Infinity) {
      addFault(path, { kind: "hangUp", left: times });
    },
    reset() {
      generation++;
      faults.clear();
      requests.length = 0;
      games.clear();
    },
    stop,
    async start() {
      if (closed) throw new Error("the fake game server was closed");
      if (!server) await listen();
    },
    async close() {
      closed = true;
      await stop();
    },
  };
}
