import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as G from "../generated/graphql.js";
import { gqlOk, startTestApp, type TestApp, tokenFor, waitFor } from "../support/app.js";
import { type FakeGameServer, startFakeGameServer } from "../support/fake-game-server.js";
import { randomPrefix, type RedisServer, startRedisServer } from "../support/redis-server.js";
import { serverCatalogWithQueues } from "../support/server-catalog.js";
import { ENQUEUE_TICKET } from "./operations-tickets.js";

/** The server catalog's hosted duel with a ranked 1v1 queue. */
const catalogFor = (serverUrl: string) =>
  serverCatalogWithQueues(
    serverUrl,
    `      - id: ranked
        teams: { count: 2, size: 1 }
        rating: { attribute: round, initialWindow: 100, expansion: { kind: linear, perSecond: 1 }, maxWindow: 200 }
`,
  );

const SEEN = /* GraphQL */ `
  query Seen($id: ID!) {
    matchTicket(id: $id) { status game { id creator { id } server { socketUrl token } } }
  }
`;
type Seen = { matchTicket: { status: string; game: null | { id: string; creator: { id: string }; server: { socketUrl: string | null; token: string | null } | null } } };

/**
 * A matched ticket of a hosted type is what its players act on at once: the host connects with
 * the token the ticket's game carries. So the ticket is never MATCHED to a game without its
 * server token, nor before every player's seat is on the server — however slow the server's
 * join_game is.
 */
describe("a ticket matched into a hosted game (Redis, fake game server)", () => {
  let redis: RedisServer;
  let server: FakeGameServer;
  let app: TestApp;
  beforeAll(async () => {
    redis = await startRedisServer();
    server = await startFakeGameServer();
    app = await startTestApp({ redisUrl: redis.url, prefix: randomPrefix(), catalog: catalogFor(server.url) });
  });
  afterAll(async () => {
    await app?.close();
    await server?.close();
    await redis?.stop();
  });

  it("is MATCHED only once the game has its server token and the other player's seat on the server", async () => {
    const [hana, ivan] = await Promise.all([tokenFor("hana"), tokenFor("ivan")]);
    const enqueue = async (token: string, rating: number) =>
      (await gqlOk<G.EnqueueTicketMutation>(app.url, ENQUEUE_TICKET, { input: { gameType: "duel", queue: "ranked", rating } }, token)).enqueueMatchTicket;
    const tickets = [
      { id: (await enqueue(hana, 5)).id, token: hana, player: "hana" },
      { id: (await enqueue(ivan, 6)).id, token: ivan, player: "ivan" },
    ];
    // A slow join_game: the window in which a client could read a half-done match.
    server.delay("/join_game", 500, 1);
    const matcher = app.app.service.queueMatchers().find((m) => m.queueId === "ranked")!;
    let ticking = true;
    const tickDone = matcher.runTick().finally(() => (ticking = false));
    const observed: { player: string; status: string; host: boolean; token: string | null; joined: boolean }[] = [];
    while (ticking) {
      for (const t of tickets) {
        const { matchTicket: seen } = await gqlOk<Seen>(app.url, SEEN, { id: t.id }, t.token);
        if (seen.status !== "MATCHED") continue;
        const joined = server.requestsTo("/join_game").length > 0;
        observed.push({ player: t.player, status: seen.status, host: seen.game!.creator.id === t.player, token: seen.game!.server?.token ?? null, joined });
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await tickDone).matched).toBe(2);
    // Every read that said MATCHED: the host had a token to connect with, and the guest's seat was on the server.
    for (const o of observed) {
      expect(o.joined, `${o.player} read MATCHED before join_game reached the server`).toBe(true);
      if (o.host) expect(o.token, `${o.player} (host) read MATCHED without a server token`).toEqual(expect.any(String));
    }
    const { matchTicket: host } = await gqlOk<Seen>(app.url, SEEN, { id: tickets[0]!.id }, hana);
    const game = server.games.get(host.game!.id)!;
    expect([...game.players.keys()].sort()).toEqual(["hana", "ivan"]);
    const hostTicket = host.game!.creator.id === "hana" ? host : (await gqlOk<Seen>(app.url, SEEN, { id: tickets[1]!.id }, ivan)).matchTicket;
    expect(hostTicket.game!.server!.token).toBe(game.gameToken);
  });

  it("makes no match its server refused a seat in: the server game is removed, the tickets search on and match on the next tick", async () => {
    server.reset();
    const [jo, kim] = await Promise.all([tokenFor("jo"), tokenFor("kim")]);
    const ids = [];
    for (const [token, rating] of [[jo, 5], [kim, 6]] as const) {
      ids.push((await gqlOk<G.EnqueueTicketMutation>(app.url, ENQUEUE_TICKET, { input: { gameType: "duel", queue: "ranked", rating } }, token)).enqueueMatchTicket.id);
    }
    server.fail("/join_game", { status: 500, message: "no room", times: 1 });
    const matcher = app.app.service.queueMatchers().find((m) => m.queueId === "ranked")!;
    expect((await matcher.runTick()).matched).toBe(0);
    const refused = server.requestsTo("/create_game").map((r) => (r.body as { gameId: string }).gameId);
    expect(refused).toHaveLength(1);
    // Nothing of the refused match was stored, and its server game does not stay behind.
    expect(await app.app.service.getGame(refused[0]!)).toBeNull();
    await waitFor(() => server.requestsTo("/remove_game").some((r) => (r.body as { gameId: string }).gameId === refused[0]), "remove_game of the refused match");
    for (const [i, token] of [jo, kim].entries()) expect((await gqlOk<Seen>(app.url, SEEN, { id: ids[i] }, token)).matchTicket.status).toBe("SEARCHING");
    expect((await matcher.runTick()).matched).toBe(2);
    const seen = (await gqlOk<Seen>(app.url, SEEN, { id: ids[0] }, jo)).matchTicket;
    expect(seen.status).toBe("MATCHED");
    expect([...server.games.get(seen.game!.id)!.players.keys()].sort()).toEqual(["jo", "kim"]);
  });
});
