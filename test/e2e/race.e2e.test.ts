import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { topics } from "../../src/bus/change-bus.js";
import type { GameChangedSubscription } from "../generated/graphql.js";
import { codeOf, type GqlResult, subscribe, tokenFor, wsClient } from "../support/app.js";
import { apiClient, ok } from "../support/api-client.js";
import { type ApiProcess, startApiProcess } from "../support/api-process.js";
import { randomPrefix, startRedisServer } from "../support/redis-server.js";
import { type RedisCluster, startRedisCluster } from "../support/redis-cluster.js";
import { bothModes, clusterSubscribed, redisSubscribed } from "./modes.js";
import { GAME_CHANGED } from "./operations.js";

const RACERS = 200;

/** 200 players race for the 3 free seats of a capacity-4 game, spread over the given endpoints. */
async function raceForSeats(urls: string[]) {
  const creator = await tokenFor("host");
  const apis = urls.map(apiClient);
  const g = (await ok(apis[0]!.createGame({ input: { gameType: "party-quiz", capacity: 4 } }, creator))).createGame;
  const tokens = await Promise.all(Array.from({ length: RACERS }, (_, i) => tokenFor(`racer${i}`)));
  const results: GqlResult<unknown>[] = await Promise.all(
    tokens.map((tok, i) => apis[i % apis.length]!.joinGame({ id: g.id }, tok)),
  );
  const winners = results.filter((r) => !r.errors);
  const codes = new Set(results.filter((r) => r.errors).map(codeOf));

  const stored = (await ok(apis[0]!.game({ id: g.id }))).game!;
  const listedWithSeat = (await ok(apis[0]!.games({ filter: { gameType: "party-quiz", minFreeSeats: 1 } }))).games;
  const listedFull = (await ok(apis[0]!.games({ filter: { gameType: "party-quiz", states: ["FULL"] } }))).games;
  return { g, winners, codes, stored, listedWithSeat, listedFull };
}

function expectExactlyThreeSeated(r: Awaited<ReturnType<typeof raceForSeats>>) {
  expect(r.winners).toHaveLength(3);
  expect(r.codes).toEqual(new Set(["GAME_FULL"]));
  expect(r.stored.players).toHaveLength(4);
  expect(new Set(r.stored.players.map((p) => p.id)).size).toBe(4);
  expect(r.stored).toMatchObject({ freeSeats: 0, state: "FULL", version: 4 });
  // The lobby indexes agree with the stored game.
  expect(r.listedWithSeat.edges.map((e) => e.node.id)).not.toContain(r.g.id);
  expect(r.listedFull.edges.map((e) => e.node.id)).toContain(r.g.id);
}

describe.each(bothModes())("200 concurrent joins on a capacity-4 game ($name)", (mode) => {
  afterAll(() => mode.teardown());

  it("seats exactly 3 and refuses the rest with GAME_FULL", async () => {
    const t = await mode.start();
    try {
      expectExactlyThreeSeated(await raceForSeats([t.url]));
    } finally {
      await t.close();
    }
  });
});

describe("two API processes sharing one Redis", () => {
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  let a: ApiProcess, b: ApiProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    const prefix = randomPrefix();
    [a, b] = await Promise.all([startApiProcess(redis.url, prefix), startApiProcess(redis.url, prefix)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it("seat exactly 3 of 200 racers split across them", async () => {
    expectExactlyThreeSeated(await raceForSeats([a.url, b.url]));
  });

  it("deliver a change made through A to a watcher connected to B, with its version", async () => {
    const alice = await tokenFor("alice");
    const g = (await ok(apiClient(a.url).createGame({ input: { gameType: "party-quiz" } }, alice))).createGame;
    const client = wsClient(b.wsUrl);
    try {
      const sub = subscribe<GameChangedSubscription>(client, GAME_CHANGED, { id: g.id });
      await redisSubscribed(redis.url, topics(a.prefix).game(g.id));
      await ok(apiClient(a.url).updateGame({ id: g.id, input: { labels: { mode: "ranked" } } }, alice));
      const msg = (await sub.next()).data!.gameChanged;
      expect(msg).toMatchObject({ kind: "UPDATED", gameId: g.id, version: 2 });
    } finally {
      await client.dispose();
    }
  });
});

describe("two API processes on a 3-master Redis Cluster", () => {
  let cluster: RedisCluster;
  let a: ApiProcess, b: ApiProcess;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    const prefix = randomPrefix();
    const env = { REDIS_CLUSTER_NODES: cluster.seeds };
    [a, b] = await Promise.all([startApiProcess("", prefix, "api", env), startApiProcess("", prefix, "api", env)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await cluster?.stop();
  });

  it("seat exactly 3 of 200 racers split across them", async () => {
    expectExactlyThreeSeated(await raceForSeats([a.url, b.url]));
  });

  it("deliver a change made through A to a watcher connected to B over sharded pub/sub, with its version", async () => {
    const alice = await tokenFor("alice");
    const g = (await ok(apiClient(a.url).createGame({ input: { gameType: "party-quiz" } }, alice))).createGame;
    const client = wsClient(b.wsUrl);
    try {
      const byId = subscribe<GameChangedSubscription>(client, GAME_CHANGED, { id: g.id });
      const byType = subscribe<GameChangedSubscription>(client, GAME_CHANGED, { gameType: "party-quiz" });
      await clusterSubscribed(cluster.seeds, topics(a.prefix).game(g.id));
      await clusterSubscribed(cluster.seeds, topics(a.prefix).gameType("party-quiz"));
      await ok(apiClient(a.url).updateGame({ id: g.id, input: { labels: { mode: "ranked" } } }, alice));
      expect((await byId.next()).data!.gameChanged).toMatchObject({ kind: "UPDATED", gameId: g.id, version: 2 });
      expect((await byType.next()).data!.gameChanged).toMatchObject({ kind: "UPDATED", gameId: g.id, version: 2 });
    } finally {
      await client.dispose();
    }
  });
});
