#!/usr/bin/env node
/**
 * An example game server for the sample catalog's `tictactoe` type, written the way the game
 * servers of the original generation are: the control API the matchmaker calls
 * (create_game, join_game, remove_game, remove_player), player sockets on
 * `?game_token=…&user_id=…` that refuse everyone but the host until the host is there
 * (close code 4000), and stream entries with the original fields — creator_joined,
 * all_players_joined, gameplay, game_over, player_disconnect, game_removed; never in_progress.
 * See docs/game-server-contract.md. Start it with `npm run tictactoe-server`.
 */
import { randomBytes } from "node:crypto";
import { realpathSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { type WebSocket, WebSocketServer } from "ws";
import { type Board, type Mark, moveRefusal, newBoard, play } from "./board.js";
import { type EventSink, loadExampleConfig, openSink } from "./sink.js";

/** Close codes of the player socket (4000 is what servers of the original generation send before the host is in). */
export const CLOSE = { HOST_NOT_CONNECTED: 4000, NOT_A_PLAYER: 4003, UNKNOWN_GAME: 4004, REMOVED: 4001, ALREADY_CONNECTED: 4009 } as const;

interface Seat {
  name: string;
  mark: Mark;
  socket: WebSocket | null;
}

interface Game {
  id: string;
  token: string;
  host: string;
  seats: Map<string, Seat>;
  board: Board;
  started: boolean;
  over: boolean;
  removeTimer: NodeJS.Timeout | null;
}

const MAX_BODY = 16 * 1024;

export interface TicTacToeServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the game server on `port` ("0" for any); it writes its events to `sink`. */
export async function startTicTacToeServer(opts: {
  port: number;
  host?: string;
  sink: EventSink;
  productId: string;
  secret: string | null;
  removeAfterMs: number;
  log?: (msg: string) => void;
}): Promise<TicTacToeServer> {
  const { sink, productId } = opts;
  const log = opts.log ?? (() => {});
  const games = new Map<string, Game>();
  const emit = (g: Game, type: string, fields: Record<string, string> = {}) => sink.emit({ product_id: productId, game_id: g.id, type, ...fields });
  const send = (s: WebSocket | null, msg: unknown) => s?.readyState === s?.OPEN && s?.send(JSON.stringify(msg));
  const broadcast = (g: Game, msg: unknown) => g.seats.forEach((seat) => send(seat.socket, msg));

  function remove(g: Game, code: number, reason: string): void {
    games.delete(g.id);
    if (g.removeTimer) clearTimeout(g.removeTimer);
    g.seats.forEach((seat) => seat.socket?.close(code, reason));
  }

  /** Once a finished game is empty, it is removed here and reported as game_removed. */
  function removeWhenEmpty(g: Game): void {
    if (g.removeTimer || [...g.seats.values()].some((s) => s.socket)) return;
    g.removeTimer = setTimeout(() => {
      if (games.get(g.id) !== g) return;
      remove(g, CLOSE.REMOVED, "game removed");
      void emit(g, "game_removed");
    }, opts.removeAfterMs);
    g.removeTimer.unref();
  }

  function finish(g: Game, winner: string | null, loser: string | null): void {
    g.over = true;
    void emit(g, "game_over", winner && loser ? { winner_id: winner, loser_id: loser } : { draw: "true" });
    broadcast(g, { type: "over", winner });
  }

  const control: Record<string, (g: Game | undefined, body: Record<string, string>) => [number, unknown]> = {
    create_game(g, b) {
      if (g) return [409, { message: "game exists" }];
      const game: Game = {
        id: b.gameId!,
        token: randomBytes(16).toString("hex"),
        host: b.userId!,
        seats: new Map([[b.userId!, { name: b.username ?? b.userId!, mark: "X", socket: null }]]),
        board: newBoard(),
        started: false,
        over: false,
        removeTimer: null,
      };
      games.set(game.id, game);
      return [200, { gameToken: game.token }];
    },
    join_game(g, b) {
      if (!g) return [404, { message: "no such game" }];
      if (g.seats.has(b.userId!)) return [200, {}];
      if (g.seats.size >= 2 || g.started) return [409, { message: "game full" }];
      g.seats.set(b.userId!, { name: b.username ?? b.userId!, mark: "O", socket: null });
      return [200, {}];
    },
    remove_game(g) {
      if (g) remove(g, CLOSE.REMOVED, "game removed");
      return [200, {}];
    },
    remove_player(g, b) {
      const seat = g?.seats.get(b.userId!);
      if (!g || !seat) return [404, { message: "not in the game" }];
      g.seats.delete(b.userId!);
      seat.socket?.close(CLOSE.REMOVED, "removed from the game");
      return [200, {}];
    },
  };

  function handleHttp(req: IncomingMessage, res: ServerResponse): void {
    const reply = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    const call = control[(req.url ?? "").replace(/^\//, "").split("?")[0]!];
    if (req.method !== "POST" || !call) return void reply(404, { message: "unknown call" });
    if (opts.secret !== null && req.headers.authorization !== `Bearer ${opts.secret}`) return void reply(401, { message: "bad secret" });
    let raw = "";
    req.on("data", (c: Buffer) => {
      raw += c.toString();
      if (raw.length > MAX_BODY) req.destroy();
    });
    req.on("end", () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        return reply(400, { message: "body must be JSON" });
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return reply(400, { message: "body must be a JSON object" });
      const body = parsed as Record<string, unknown>;
      const needs = req.url?.includes("remove_game") ? ["gameId"] : ["gameId", "userId"];
      const missing = needs.filter((k) => typeof body[k] !== "string" || body[k] === "");
      if (missing.length > 0) return reply(400, { message: `${missing.join(", ")} required (strings)` });
      const [status, answer] = call(games.get(body.gameId as string), body as Record<string, string>);
      log(`${req.url} ${body.gameId} → ${status}`);
      reply(status, answer);
    });
  }

  function handleSocket(socket: WebSocket, req: IncomingMessage): void {
    const q = new URL(req.url ?? "/", "http://x").searchParams;
    const g = [...games.values()].find((x) => x.token === q.get("game_token"));
    const userId = q.get("user_id") ?? "";
    if (!g) return socket.close(CLOSE.UNKNOWN_GAME, "unknown game");
    const seat = g.seats.get(userId);
    if (!seat) return socket.close(CLOSE.NOT_A_PLAYER, "not a player of this game");
    if (seat.socket) return socket.close(CLOSE.ALREADY_CONNECTED, "already connected");
    const hostIn = g.seats.get(g.host)?.socket != null;
    if (userId !== g.host && !hostIn) return socket.close(CLOSE.HOST_NOT_CONNECTED, "the host has not connected yet");
    seat.socket = socket;
    if (userId === g.host && !g.started) void emit(g, "state_change", { new_state: "creator_joined" });
    send(socket, { type: "welcome", mark: seat.mark });
    if (!g.started && g.seats.size === 2 && [...g.seats.values()].every((s) => s.socket)) {
      g.started = true;
      void emit(g, "state_change", { new_state: "all_players_joined" });
      broadcast(g, { type: "start", cells: g.board.cells, next: g.board.next });
    }
    socket.on("message", (data) => {
      let msg: { type?: string; cell?: unknown };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        return send(socket, { type: "error", message: "messages are JSON" });
      }
      if (msg.type !== "move" || !g.started || g.over) return send(socket, { type: "error", message: "no move expected" });
      const refusal = moveRefusal(g.board, seat.mark, msg.cell);
      if (refusal) return send(socket, { type: "error", message: refusal });
      const outcome = play(g.board, msg.cell as number);
      void emit(g, "gameplay", { event_name: "move", user_id: userId, cell: String(msg.cell) });
      broadcast(g, { type: "board", cells: g.board.cells, next: g.board.next });
      if (outcome === "draw") finish(g, null, null);
      else if (outcome) {
        const loser = [...g.seats.keys()].find((id) => id !== userId) ?? null;
        finish(g, userId, loser);
      }
    });
    socket.on("close", () => {
      if (seat.socket !== socket) return;
      seat.socket = null;
      if (games.get(g.id) !== g) return;
      if (g.started && !g.over) {
        // Leaving a running match forfeits it.
        const other = [...g.seats.keys()].find((id) => id !== userId) ?? null;
        finish(g, other, userId);
      }
      if (userId !== g.host) {
        // Before the match the seat is free again, here as in the matchmaker.
        if (!g.started) g.seats.delete(userId);
        void emit(g, "player_disconnect", { player_id: userId });
      }
      if (g.over) removeWhenEmpty(g);
      else if (userId === g.host) {
        // The host left a match that never started: the game is gone.
        remove(g, CLOSE.REMOVED, "the host left");
        void emit(g, "game_removed");
      }
    });
  }

  const http = createServer(handleHttp);
  const wss = new WebSocketServer({ server: http, maxPayload: 4 * 1024 });
  wss.on("connection", handleSocket);
  await new Promise<void>((resolve) => http.listen(opts.port, opts.host, resolve));
  const port = (http.address() as { port: number }).port;
  return {
    port,
    async close() {
      for (const g of [...games.values()]) remove(g, 1001, "server shutting down");
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await sink.close();
    },
  };
}

async function main(): Promise<void> {
  const config = loadExampleConfig(process.env);
  const sink = await openSink(config);
  const server = await startTicTacToeServer({ ...config, sink, log: (m) => process.stdout.write(`${m}\n`) });
  process.stdout.write(`tictactoe game server on port ${server.port}; events go to ${sink.where}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

// Run as a program (not imported by a test).
if (process.argv[1] && realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1])) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
