import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GameState } from "../../src/domain/game.js";
import { EventType } from "../../src/domain/game-events.js";
import type * as G from "../generated/graphql.js";
import { gqlOk, startTestApp, type TestApp, tokenFor } from "../support/app.js";
import { type FakeGameServer, startFakeGameServer } from "../support/fake-game-server.js";
import { randomPrefix, type RedisServer, startRedisServer } from "../support/redis-server.js";
import { serverCatalogWithQueues } from "../support/server-catalog.js";
import { ENQUEUE_TICKET, TICKET } from "./operations-tickets.js";

/** The server catalog's hosted duel with a queue that backfills open games by their `round` label. */
const catalogFor = (serverUrl: string) =>
  serverCatalogWithQueues(
    serverUrl,
    `      - id: open
        teams: { count: 2, size: 1 }
        rating: { attribute: round, initialWindow: 10, expansion: { kind: linear, perSecond: 1 }, maxWindow: 20 }
        backfill: true
`,
  );

const bodyOf = (r: { body: unknown }) => r.body as { gameId: string; userId: string };

/**
 * Two workers (two app instances on one Redis) backfill the same new ticket into the same open
 * hosted game at once: both call join_game, one seats it, the other finds its step stale — and
 * must not remove the player the winner just seated.
 */
describe("hosted backfill raced by two workers (Redis)", () => {
  let redis: RedisServer;
  let server: FakeGameServer;
  const apps: TestApp[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
    server = await startFakeGameServer();
    const prefix = randomPrefix();
    const catalog = catalogFor(server.url);
    for (let i = 0; i < 2; i++) apps.push(await startTestApp({ redisUrl: redis.url, prefix, catalog }));
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await server.close();
    await redis.stop();
  });

  it("seats the ticket once, and the losing worker undoes no join of a player the game holds", async () => {
    const [a, b] = apps as [TestApp, TestApp];
    const hana = await tokenFor("hana");
    const { createGame: game } = await gqlOk<{ createGame: { id: string } }>(a.url, 'mutation { createGame(input: { gameType: "duel", labels: { round: 5 } }) { id } }', {}, hana);
    // Its host connected (as its server reports): games still waiting for their host are not offered.
    await a.app.service.applyGameEvent({ gameType: "duel", gameId: game.id, eventId: null, type: EventType.STATE_CHANGE, newState: GameState.OPEN });
    const ivan = await tokenFor("ivan");
    const { enqueueMatchTicket: ticket } = await gqlOk<G.EnqueueTicketMutation>(a.url, ENQUEUE_TICKET, { input: { gameType: "duel", queue: "open", rating: 6 } }, ivan);
    // Both workers are inside join_game at once, so both reach the atomic step.
    server.delay("/join_game", 150, 2);
    const matcherOf = (t: TestApp) => t.app.service.queueMatchers().find((m) => m.queueId === "open")!;
    const [sa, sb] = await Promise.all([matcherOf(a).runTick(), matcherOf(b).runTick()]);
    expect(sa.backfilled + sb.backfilled).toBe(1);
    expect(server.requestsTo("/join_game").map((r) => bodyOf(r).userId)).toEqual(["ivan", "ivan"]);
    expect(server.requestsTo("/remove_player").map((r) => bodyOf(r).userId)).toEqual([]);
    expect([...server.games.get(game.id)!.players.keys()]).toContain("ivan");
    const seen = (await gqlOk<G.TicketQuery>(a.url, TICKET, { id: ticket.id }, ivan)).matchTicket!;
    expect(seen).toMatchObject({ status: "MATCHED", game: { id: game.id } });
    expect(seen.game!.players.map((p) => p.id)).toEqual(["hana", "ivan"]);
  });
});
