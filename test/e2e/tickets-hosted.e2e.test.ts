import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import WebSocket from "ws";
import type * as G from "../generated/graphql.js";
import { type ApiProcess, startApiProcess } from "../support/api-process.js";
import { gql, subscribe, tokenFor, waitFor, wsClient } from "../support/app.js";
import { randomPrefix, type RedisServer, startRedisServer } from "../support/redis-server.js";
import { EXAMPLE_SECRET, type ExampleGameServer, startExampleGameServer } from "../support/example-game-server.js";
import { ENQUEUE_TICKET } from "./operations-tickets.js";

const SAMPLE_CATALOG = fileURLToPath(new URL("../../catalog/game-types.yaml", import.meta.url));
const SECRET = EXAMPLE_SECRET;

/**
 * The sample catalog's tic-tac-toe with a ranked 1v1 queue (±100, widened to ±130 after 1 s of
 * waiting and to ±200 after 2 s), and one that backfills open games by their `mmr` label.
 */
const QUEUE_YAML = `    serverSecret: ${SECRET}
    labels: { mmr: number }
    queues:
      - id: ranked
        teams: { count: 2, size: 1 }
        rating: { attribute: mmr, initialWindow: 100, expansion: { kind: steps, steps: [{ afterMs: 1000, window: 130 }, { afterMs: 2000, window: 200 }] }, maxWindow: 300 }
        maxWaitMs: 30000
      - id: open
        teams: { count: 2, size: 1 }
        rating: { attribute: mmr, initialWindow: 100, expansion: { kind: linear, perSecond: 10 }, maxWindow: 300 }
        maxWaitMs: 30000
        backfill: true
`;

/** What each player follows: their ticket until it is matched, with the game's server access for them. */
const WATCH = /* GraphQL */ `
  subscription HostedTicket($id: ID!) {
    matchTicketChanged(id: $id) {
      ticket { status window game { id creator { id } hostConnected players { id } server { socketUrl token } } }
    }
  }
`;
type Watched = { matchTicketChanged: { ticket: { status: string; window: number | null; game: null | { id: string; creator: { id: string }; hostConnected: boolean; players: { id: string }[]; server: { socketUrl: string; token: string } | null } } } };

/**
 * Two tickets matched into a hosted game through the shipped example game server: the
 * server's game is made before the match is committed, and each player gets their access.
 */
describe("ticket matchmaking into a hosted game type, through the example game server", () => {
  let redisServer: RedisServer;
  let gameServer: ExampleGameServer;
  let mm: ApiProcess;
  let socketAddress: string;

  beforeAll(async () => {
    redisServer = await startRedisServer();
    gameServer = await startExampleGameServer(`${redisServer.url}/1`);
    socketAddress = gameServer.address;
    const catalog = join(mkdtempSync(join(tmpdir(), "mm-ttt-tickets-")), "catalog.yaml");
    const sample = readFileSync(SAMPLE_CATALOG, "utf8").replaceAll("localhost:5001", socketAddress);
    expect(sample).toContain(`    serverSecret: ${SECRET}\n`);
    writeFileSync(catalog, sample.replace(`    serverSecret: ${SECRET}\n`, QUEUE_YAML));
    mm = await startApiProcess(`${redisServer.url}/0`, randomPrefix(), "all", {
      NODE_ENV: "production",
      MATCHMAKER_GAME_TYPES: catalog,
      EVENT_STREAM_REDIS_URL: `${redisServer.url}/1`,
      EVENT_STREAM_KEY: "game_event_stream",
      WORKER_BLOCK_MS: "50",
      MATCH_TICK_MS: "100",
    });
  });
  // A failure here has been a race between processes: what they logged says which one.
  beforeEach(() => {
    onTestFailed(() => {
      console.error(`matchmaker process output:\n${mm?.output()}\nexample game server output:\n${gameServer?.output()}`);
    });
  });
  afterAll(async () => {
    gameServer?.stop();
    await mm?.stop();
    await redisServer?.stop();
  });

  it("matches two tickets 150 apart once both windows widened enough, into one game the server made; the host connects, then the other player with their own access", async () => {
    const [alice, bob] = await Promise.all(["alice", "bob"].map((id) => tokenFor(id)));
    const enqueue = async (token: string, rating: number) =>
      (await gql<G.EnqueueTicketMutation>(mm.url, ENQUEUE_TICKET, { input: { gameType: "tictactoe", queue: "ranked", rating } }, token)).data!.enqueueMatchTicket;
    // 150 apart: out of each other's ±100 and ±130, within the ±200 both reach after 2 s.
    const a = await enqueue(alice, 1500);
    const b = await enqueue(bob, 1650);
    const follow = (token: string, id: string) => subscribe<Watched>(wsClient(mm.wsUrl, token), WATCH, { id });
    const [aliceSees, bobSees] = [follow(alice, a.id), follow(bob, b.id)];
    const matched = async (sub: ReturnType<typeof follow>, id: string, token: string) => {
      const seen: string[] = [];
      try {
        for (;;) {
          const t = (await sub.next(10_000)).data!.matchTicketChanged.ticket;
          seen.push(t.status === "SEARCHING" ? `SEARCHING ±${t.window}` : t.status);
          if (t.status !== "SEARCHING") return { ...t, frames: seen };
        }
      } catch (err) {
        // Where it stopped: what the watch sent, and what the ticket is now.
        const now = await gql<{ matchTicket: { status: string; version: number } | null }>(mm.url, "query($id: ID!) { matchTicket(id: $id) { status version } }", { id }, token);
        throw new Error(`ticket ${id}: ${(err as Error).message}; frames: [${seen.join(", ")}]; now: ${JSON.stringify(now.data?.matchTicket ?? now.errors)}`);
      }
    };
    const [forAlice, forBob] = await Promise.all([matched(aliceSees, a.id, alice), matched(bobSees, b.id, bob)]);
    // Each player saw their ticket search at ±100, then at ±130 (pushed as it widened; no match
    // is possible yet), then matched once both reached ±200 (that widening's own frame may come
    // just before or be overtaken by the match).
    for (const t of [forAlice, forBob]) {
      expect(t.frames.slice(0, 2)).toEqual(["SEARCHING ±100", "SEARCHING ±130"]);
      expect(t.frames.at(-1)).toBe("MATCHED");
      expect(t.frames.length).toBeLessThanOrEqual(4);
    }
    expect(forAlice.status).toBe("MATCHED");
    expect(forBob.game!.id).toBe(forAlice.game!.id);
    expect(forAlice.game!.players.map((p) => p.id).sort()).toEqual(["alice", "bob"]);
    // Only the host may connect at first: they get the address and token, the other player waits.
    const hostIsAlice = forAlice.game!.creator.id === "alice";
    const [host, guest] = hostIsAlice ? [forAlice, forBob] : [forBob, forAlice];
    const [hostId, guestId, guestToken] = hostIsAlice ? ["alice", "bob", bob] : ["bob", "alice", alice];
    expect(host.game).toMatchObject({ hostConnected: false, server: { socketUrl: socketAddress } });
    expect(guest.game).toMatchObject({ hostConnected: false, server: null });

    const guestWatch = subscribe<{ gameChanged: { game: { hostConnected: boolean; server: { socketUrl: string; token: string } | null } | null } }>(
      wsClient(mm.wsUrl, guestToken),
      "subscription($id: ID!) { gameChanged(id: $id) { game { hostConnected server { socketUrl token } } } }",
      { id: host.game!.id },
    );
    const db0 = new Redis(`${redisServer.url}/0`);
    const topic = `${mm.prefix}:changes:game:${host.game!.id}`;
    await waitFor(async () => ((await db0.pubsub("NUMSUB", topic)) as [string, number])[1] > 0, "the guest's watch to reach Redis");
    db0.disconnect();
    const hostSocket = new WebSocket(`ws://${host.game!.server!.socketUrl}/?game_token=${host.game!.server!.token}&user_id=${hostId}`);
    await new Promise<void>((resolve, reject) => hostSocket.once("open", () => resolve()).once("error", reject));
    let access: { socketUrl: string; token: string } | null = null;
    while (!access) access = (await guestWatch.next(10_000)).data!.gameChanged.game?.server ?? null;
    const guestSocket = new WebSocket(`ws://${access.socketUrl}/?game_token=${access.token}&user_id=${guestId}`);
    const started = new Promise<void>((resolve) => guestSocket.on("message", (d) => JSON.parse(String(d)).type === "start" && resolve()));
    await new Promise<void>((resolve, reject) => guestSocket.once("open", () => resolve()).once("error", reject));
    await started;
    hostSocket.close();
    guestSocket.close();
    await Promise.all([aliceSees.close(), bobSees.close(), guestWatch.close()]);
  }, 60_000);

  it("backfills a ticket into an open hosted game near its rating: the server is told, and the player connects and plays", async () => {
    const [carol, dave] = await Promise.all(["carol", "dave"].map((id) => tokenFor(id)));
    const made = await gql<{ createGame: { id: string; server: { socketUrl: string; token: string } | null } }>(
      mm.url,
      'mutation { createGame(input: { gameType: "tictactoe", labels: { mmr: 1500 } }) { id server { socketUrl token } } }',
      {},
      carol,
    );
    const game = made.data!.createGame;
    expect(game.server).not.toBeNull();
    const hostSocket = new WebSocket(`ws://${game.server!.socketUrl}/?game_token=${game.server!.token}&user_id=carol`);
    const hostStarted = new Promise<void>((resolve) => hostSocket.on("message", (d) => JSON.parse(String(d)).type === "start" && resolve()));
    await new Promise<void>((resolve, reject) => hostSocket.once("open", () => resolve()).once("error", reject));
    await waitFor(
      async () => (await gql<{ game: { hostConnected: boolean } | null }>(mm.url, "query($id: ID!) { game(id: $id) { hostConnected } }", { id: game.id }, carol)).data!.game?.hostConnected === true,
      "the host's connection to reach the matchmaker",
      10_000,
    );

    const t = (await gql<G.EnqueueTicketMutation>(mm.url, ENQUEUE_TICKET, { input: { gameType: "tictactoe", queue: "open", rating: 1520 } }, dave)).data!.enqueueMatchTicket;
    const daveSees = subscribe<Watched>(wsClient(mm.wsUrl, dave), WATCH, { id: t.id });
    let ticket = (await daveSees.next(10_000)).data!.matchTicketChanged.ticket;
    while (ticket.status === "SEARCHING") ticket = (await daveSees.next(10_000)).data!.matchTicketChanged.ticket;
    expect(ticket.status).toBe("MATCHED");
    expect(ticket.game).toMatchObject({ id: game.id, creator: { id: "carol" }, hostConnected: true, players: [{ id: "carol" }, { id: "dave" }] });
    // The game server took dave's join_game: with his own access he is let in and the game starts.
    expect(ticket.game!.server).toMatchObject({ socketUrl: socketAddress });
    const guestSocket = new WebSocket(`ws://${ticket.game!.server!.socketUrl}/?game_token=${ticket.game!.server!.token}&user_id=dave`);
    const guestStarted = new Promise<void>((resolve) => guestSocket.on("message", (d) => JSON.parse(String(d)).type === "start" && resolve()));
    await new Promise<void>((resolve, reject) => guestSocket.once("open", () => resolve()).once("error", reject));
    await Promise.all([hostStarted, guestStarted]);
    hostSocket.close();
    guestSocket.close();
    await daveSees.close();
  }, 60_000);
});
