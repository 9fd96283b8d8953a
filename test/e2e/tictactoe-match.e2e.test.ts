import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type ApiProcess, startApiProcess } from "../support/api-process.js";
import { apiClient, ok } from "../support/api-client.js";
import { codeOf, subscribe, tokenFor, waitFor, wsClient } from "../support/app.js";
import { matchClient } from "../support/match-client.js";
import { randomPrefix, type RedisServer, startRedisServer } from "../support/redis-server.js";
import { type ExampleGameServer, startExampleGameServer } from "../support/example-game-server.js";

const SAMPLE_CATALOG = fileURLToPath(new URL("../../catalog/game-types.yaml", import.meta.url));

/** A player's socket to the game server, as a game client of the original generation opens it (it adds ws://). */
class PlayerSocket {
  readonly messages: { type: string; [k: string]: unknown }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly ws: WebSocket;
  constructor(socketUrl: string, token: string, userId: string) {
    this.ws = new WebSocket(`ws://${socketUrl}/?game_token=${token}&user_id=${userId}`);
    this.ws.on("message", (d) => this.messages.push(JSON.parse(String(d))));
    this.closed = new Promise((resolve) => this.ws.on("close", (code, reason) => resolve({ code, reason: String(reason) })));
  }
  opened = () => new Promise<void>((resolve, reject) => (this.ws.readyState === WebSocket.OPEN ? resolve() : this.ws.once("open", () => resolve()).once("error", reject)));
  move = (cell: number) => this.ws.send(JSON.stringify({ type: "move", cell }));
  close = () => this.ws.close();
  async next(type: string): Promise<Record<string, unknown>> {
    await waitFor(() => this.messages.some((m) => m.type === type), `a ${type} message`);
    return this.messages.find((m) => m.type === type)!;
  }
}

/**
 * A whole match through the shipped example game server, which writes its stream exactly as
 * the original generation does (database 1, no in_progress, game_over straight from FULL),
 * with the matchmaker run as operators run it (NODE_ENV=production, the original two-database
 * layout, the catalog's socket address without a scheme).
 */
describe("a tic-tac-toe match through the example game server", () => {
  let redisServer: RedisServer;
  let db0: Redis, db1: Redis;
  let gameServer: ExampleGameServer;
  let mm: ApiProcess;
  let socketAddress: string;

  beforeAll(async () => {
    redisServer = await startRedisServer();
    db0 = new Redis(`${redisServer.url}/0`);
    db1 = new Redis(`${redisServer.url}/1`);
    gameServer = await startExampleGameServer(`${redisServer.url}/1`, { REMOVE_AFTER_MS: "300" });
    socketAddress = gameServer.address;
    // The sample catalog, pointed at this game server.
    const catalog = join(mkdtempSync(join(tmpdir(), "mm-ttt-")), "catalog.yaml");
    writeFileSync(catalog, readFileSync(SAMPLE_CATALOG, "utf8").replaceAll("localhost:5001", socketAddress));
    mm = await startApiProcess(`${redisServer.url}/0`, randomPrefix(), "all", {
      NODE_ENV: "production",
      MATCHMAKER_GAME_TYPES: catalog,
      EVENT_STREAM_REDIS_URL: `${redisServer.url}/1`,
      EVENT_STREAM_KEY: "game_event_stream",
      WORKER_BLOCK_MS: "50",
    });
  });
  afterAll(async () => {
    gameServer?.stop();
    await mm?.stop();
    db0?.disconnect();
    db1?.disconnect();
    await redisServer?.stop();
  });

  it("plays from creation to ENDED with its result, dead-letters nothing, and offers the game to nobody afterwards", async () => {
    const api = apiClient(mm.url);
    const match = matchClient(mm.url);
    const [alice, bob, carol] = await Promise.all(["alice", "bob", "carol"].map((id) => tokenFor(id)));
    const gameState = async () => (await ok(api.game({ id: created.id }, alice))).game;

    // Two players quickJoin at the same moment: they meet in one game; only the host may connect yet.
    const [a, b] = await Promise.all([
      ok(match.quickJoin({ input: { gameType: "tictactoe" } }, alice)),
      new Promise((r) => setTimeout(r, 30)).then(() => ok(match.quickJoin({ input: { gameType: "tictactoe" } }, bob))),
    ]);
    const created = a.quickJoin;
    expect(b.quickJoin.id).toBe(created.id);
    expect(created).toMatchObject({ hostConnected: false, server: { socketUrl: socketAddress } });
    expect(b.quickJoin).toMatchObject({ state: "FULL", hostConnected: false, server: null });
    expect((await ok(api.games({ filter: { gameType: "tictactoe" } }))).games.edges).toEqual([]);

    // Bob watches his game for the moment he may connect.
    const bobWs = wsClient(mm.wsUrl, bob);
    const watch = subscribe<{ gameChanged: { game: { hostConnected: boolean; server: { socketUrl: string; token: string } | null } | null } }>(
      bobWs,
      "subscription($id: ID!) { gameChanged(id: $id) { version game { state hostConnected server { socketUrl token } } } }",
      { id: created.id },
    );
    const topic = `${mm.prefix}:changes:game:${created.id}`;
    await waitFor(async () => ((await db0.pubsub("NUMSUB", topic)) as [string, number])[1] > 0, "bob's watch to reach Redis");

    // This is why the address is withheld: the game server turns away everyone but the host for now.
    const early = new PlayerSocket(socketAddress, created.server!.token!, "bob");
    expect((await early.closed).code).toBe(4000);

    const hostSocket = new PlayerSocket(socketAddress, created.server!.token!, "alice");
    await hostSocket.opened();
    const told = await watch.next(10_000);
    expect(told.data!.gameChanged.game).toMatchObject({ hostConnected: true, server: { socketUrl: socketAddress, token: created.server!.token } });
    const access = told.data!.gameChanged.game!.server!;
    const guestSocket = new PlayerSocket(access.socketUrl, access.token, "bob");
    await guestSocket.opened();
    await hostSocket.next("start");

    // X: alice, O: bob — alice completes the top row.
    const boards = () => hostSocket.messages.filter((m) => m.type === "board").length;
    for (const [n, [player, cell]] of ([[hostSocket, 0], [guestSocket, 3], [hostSocket, 1], [guestSocket, 4], [hostSocket, 2]] as const).entries()) {
      player.move(cell);
      await waitFor(() => boards() === n + 1, `move ${n + 1} to land`);
    }
    expect(await hostSocket.next("over")).toMatchObject({ winner: "alice" });
    await waitFor(async () => (await gameState())?.state === "ENDED", "the match to end", 10_000);
    expect(await gameState()).toMatchObject({ state: "ENDED", result: { winner_id: "alice", loser_id: "bob" } });

    // The stream is exactly what the original generation writes; none of it was dead-lettered.
    const written = ((await db1.xrange("game_event_stream", "-", "+")) as [string, string[]][]).map(([, f]) => f[f.indexOf("type") + 1] === "state_change" ? f[f.indexOf("new_state") + 1] : f[f.indexOf("type") + 1]);
    expect(written).toEqual(["creator_joined", "all_players_joined", "gameplay", "gameplay", "gameplay", "gameplay", "gameplay", "game_over"]);
    expect(await db1.xlen("game_event_stream:dead")).toBe(0);

    // Nobody is offered the finished game: not the lobby, not a join, not a quickJoin.
    expect(codeOf(await api.joinGame({ id: created.id }, carol))).toMatch(/GAME_FULL|NOT_JOINABLE/);
    expect((await ok(match.quickJoin({ input: { gameType: "tictactoe" } }, carol))).quickJoin.id).not.toBe(created.id);

    // The loser's client disconnects: a finished game keeps its roster and is not listed again.
    guestSocket.close();
    await waitFor(async () => (await db1.xlen("game_event_stream")) >= 9, "the disconnect entry");
    await new Promise((r) => setTimeout(r, 200));
    expect((await gameState())!.players.map((p) => p.id)).toEqual(["alice", "bob"]);
    const listed = (await ok(api.games({ filter: { gameType: "tictactoe", includeWaitingForHost: true } }))).games.edges.map((e) => e.node.id);
    expect(listed).not.toContain(created.id);
    // Then the host leaves, the server removes the game (game_removed), and so does the matchmaker.
    hostSocket.close();
    await waitFor(async () => (await gameState()) === null, "game_removed to arrive", 10_000);
    expect(await db1.xlen("game_event_stream:dead")).toBe(0);
    await watch.close();
    await bobWs.dispose();
  }, 60_000);
});
