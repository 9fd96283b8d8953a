import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, startTestApp, type TestApp, tokenFor } from "../support/app.js";
import { apiClient, ok } from "../support/api-client.js";
import { type ApiProcess, startApiProcess } from "../support/api-process.js";
import { formParty, matchCatalog, matchCatalogFile, matchClient } from "../support/match-client.js";
import { type RedisCluster, startRedisCluster } from "../support/redis-cluster.js";
import { randomPrefix, startRedisServer } from "../support/redis-server.js";

/** Where the racers send their requests: one in-process embedded API, or two API processes on one Redis. */
interface Target {
  name: string;
  urls: string[];
  /** Redis and key prefix in redis mode, to look for leftovers. */
  redis: { url: string; prefix: string; cluster?: boolean } | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function embedded(): Target {
  let t: TestApp;
  const target: Target = {
    name: "embedded, one process",
    urls: [],
    redis: null,
    async start() {
      t = await startTestApp({ catalog: matchCatalog() });
      target.urls = [t.url];
    },
    stop: () => t.close(),
  };
  return target;
}

function twoProcesses(): Target {
  let server: Awaited<ReturnType<typeof startRedisServer>>;
  let apis: ApiProcess[] = [];
  const target: Target = {
    name: "two API processes on one Redis",
    urls: [],
    redis: null,
    async start() {
      server = await startRedisServer();
      const prefix = randomPrefix();
      const env = { MATCHMAKER_GAME_TYPES: matchCatalogFile() };
      apis = await Promise.all([startApiProcess(server.url, prefix, "api", env), startApiProcess(server.url, prefix, "api", env)]);
      target.urls = apis.map((a) => a.url);
      target.redis = { url: server.url, prefix };
    },
    async stop() {
      await Promise.all(apis.map((a) => a.stop()));
      await server?.stop();
    },
  };
  return target;
}

function twoProcessesOnCluster(): Target {
  let cluster: RedisCluster;
  let apis: ApiProcess[] = [];
  const target: Target = {
    name: "two API processes on a 3-master Redis Cluster",
    urls: [],
    redis: null,
    async start() {
      cluster = await startRedisCluster({ masters: 3 });
      const prefix = randomPrefix();
      const env = { MATCHMAKER_GAME_TYPES: matchCatalogFile(), REDIS_CLUSTER_NODES: cluster.seeds };
      apis = await Promise.all([startApiProcess("", prefix, "api", env), startApiProcess("", prefix, "api", env)]);
      target.urls = apis.map((a) => a.url);
      target.redis = { url: cluster.seeds, prefix, cluster: true };
    },
    async stop() {
      await Promise.all(apis.map((a) => a.stop()));
      await cluster?.stop();
    },
  };
  return target;
}

const tokens = (prefix: string, n: number) => Promise.all(Array.from({ length: n }, (_, i) => tokenFor(`${prefix}${i}`)));

describe.each([embedded(), twoProcesses(), twoProcessesOnCluster()])("matchmaking races ($name)", (target) => {
  beforeAll(() => target.start(), 60_000);
  afterAll(() => target.stop());
  const url = (i: number) => target.urls[i % target.urls.length]!;
  const players = async (ids: readonly string[]) => {
    const games = await Promise.all(ids.map((id) => ok(apiClient(url(0)).game({ id }))));
    return games.map((g) => g.game!);
  };

  /*
   * The bound: the quickjoin script creates a game only when no public game of the type
   * that takes players has room for the whole party, in the same atomic step that then
   * stores the new game. With single players and nobody leaving, a game is therefore only
   * ever created while every earlier one is full: N racers on capacity C end in exactly
   * ⌈N/C⌉ games, whatever the interleaving and however many API processes. With parties
   * of up to p players, every earlier game had at most p − 1 free seats when a new one was
   * created, so G games hold at least (G − 1)(C − p + 1) + p_min players.
   */
  it("500 quickJoins on a capacity-4 type seat everyone once, overfill nothing and create exactly ⌈500/4⌉ games", async () => {
    const N = 500;
    const toks = await tokens("q", N);
    const results = await Promise.all(toks.map((tok, i) => matchClient(url(i)).quickJoin({ input: { gameType: "quad" } }, tok)));
    expect(results.filter((r) => r.errors).map((r) => r.errors![0]!.message)).toEqual([]);
    results.forEach((r, i) => expect(r.data!.quickJoin.players.map((p) => p.id)).toContain(`q${i}`));
    const ids = [...new Set(results.map((r) => r.data!.quickJoin.id))];
    expect(ids).toHaveLength(Math.ceil(N / 4));
    const games = await players(ids);
    for (const g of games) expect(g).toMatchObject({ freeSeats: 0, state: "FULL" });
    const seated = games.flatMap((g) => g.players.map((p) => p.id)).sort();
    expect(seated).toEqual(Array.from({ length: N }, (_, i) => `q${i}`).sort());
  });

  it("200 quickJoins of parties of 2–3 on capacity 8 keep every party together, overfill nothing, stay within the bound", async () => {
    const leaders = await tokens("L", 200);
    const party = (i: number) => Array.from({ length: 1 + (i % 2) }, (_, k) => `L${i}m${k}`);
    const partyIds = await Promise.all(leaders.map((_, i) => formParty(url(i), "octo", `L${i}`, party(i))));
    const results = await Promise.all(
      leaders.map((tok, i) => matchClient(url(i)).quickJoin({ input: { gameType: "octo", partyId: partyIds[i] } }, tok)),
    );
    expect(results.filter((r) => r.errors).map((r) => r.errors![0]!.message)).toEqual([]);
    const games = await players([...new Set(results.map((r) => r.data!.quickJoin.id))]);
    const where = new Map(games.flatMap((g) => g.players.map((p) => [p.id, g.id] as const)));
    expect(where.size).toBe(games.reduce((n, g) => n + g.players.length, 0)); // nobody seated twice
    results.forEach((r, i) => {
      for (const id of [`L${i}`, ...party(i)]) expect(where.get(id)).toBe(r.data!.quickJoin.id);
    });
    for (const g of games) expect(g.players.length).toBeLessThanOrEqual(8);
    expect((games.length - 1) * (8 - 3 + 1) + 2).toBeLessThanOrEqual(where.size);
  });

  it("200 party joins of size 2–3 into capacity-8 games seat whole parties or none, never overfilling", async () => {
    const hosts = await tokens("h", 20);
    const gameIds = await Promise.all(
      hosts.map(async (tok) => (await ok(apiClient(url(0)).createGame({ input: { gameType: "octo" } }, tok))).createGame.id),
    );
    const leaders = await tokens("P", 200);
    const party = (i: number) => Array.from({ length: 1 + (i % 2) }, (_, k) => `P${i}m${k}`);
    const target = (i: number) => gameIds[(i * 7) % gameIds.length]!;
    const partyIds = await Promise.all(leaders.map((_, i) => formParty(url(i), "octo", `P${i}`, party(i))));
    const results = await Promise.all(
      leaders.map((tok, i) => matchClient(url(i)).joinWithParty({ id: target(i), partyId: partyIds[i] }, tok)),
    );
    expect(new Set(results.filter((r) => r.errors).map(codeOf))).toEqual(new Set(["GAME_FULL"]));
    const games = await players(gameIds);
    const where = new Map(games.flatMap((g) => g.players.map((p) => [p.id, g.id] as const)));
    results.forEach((r, i) => {
      const members = [`P${i}`, ...party(i)];
      if (r.errors) for (const id of members) expect(where.has(id)).toBe(false);
      else for (const id of members) expect(where.get(id)).toBe(target(i));
    });
    for (const g of games) {
      expect(g.players.length).toBeLessThanOrEqual(8);
      expect(g.freeSeats).toBe(8 - g.players.length);
    }
    const seatedParties = results.filter((r) => !r.errors).length;
    expect(seatedParties).toBeGreaterThan(0);
    expect(seatedParties).toBeLessThan(200);
  });

  it("a party seated while members join and leave is seated all or nothing: steady members always, nobody who did not join", async () => {
    const N = 40;
    const hosts = await tokens("pg", N);
    const gameIds = await Promise.all(
      hosts.map(async (tok) => (await ok(apiClient(url(0)).createGame({ input: { gameType: "octo" } }, tok))).createGame.id),
    );
    // Each party: a leader, two members who stay, and two who come and go while the leader seats it.
    const steady = (i: number) => [`S${i}a`, `S${i}b`];
    const flappers = (i: number) => [`F${i}a`, `F${i}b`];
    const partyIds = await Promise.all(Array.from({ length: N }, (_, i) => formParty(url(i), "octo", `S${i}`, [...steady(i), flappers(i)[0]!])));
    const flap = async (i: number) => {
      const [a, b] = await Promise.all(flappers(i).map((f) => tokenFor(f)));
      const mm = matchClient(url(i + 1));
      // F…a leaves, then F…b joins, racing the seating on the other process: one flapper is a member at most.
      await ok(mm.leaveParty({ id: partyIds[i]! }, a!));
      await ok(mm.joinParty({ id: partyIds[i]! }, b!));
    };
    const leaders = await tokens("S", N);
    const results = await Promise.all(
      leaders.flatMap((tok, i) => [matchClient(url(i)).joinWithParty({ id: gameIds[i]!, partyId: partyIds[i] }, tok), flap(i).then(() => null)]),
    );
    const seatings = results.filter((r): r is NonNullable<typeof r> => r !== null);
    expect(seatings.filter((r) => r.errors).map((r) => r.errors![0]!.message)).toEqual([]);
    const games = await players(gameIds);
    games.forEach((g, i) => {
      const seated = g.players.map((p) => p.id);
      expect(seated).toEqual(expect.arrayContaining([`S${i}`, ...steady(i)]));
      // Nobody but members: the leader, the steady two, and at most one flapper — whichever was a member at that moment.
      const extra = seated.filter((id) => id !== `pg${i}` && id !== `S${i}` && !steady(i).includes(id));
      expect(extra.length).toBeLessThanOrEqual(1);
      for (const id of extra) expect(flappers(i)).toContain(id);
      expect(g.players.length).toBeLessThanOrEqual(8);
    });
    // Each party knows where it sat.
    const seen = await Promise.all(partyIds.map(async (id, i) => (await ok(matchClient(url(0)).party({ id }, leaders[i]!))).party!));
    seen.forEach((p, i) => expect(p.game?.id).toBe(gameIds[i]));
  });

  it("join-by-code racing delete either joins a live game or is refused; nothing is left of deleted games", async () => {
    const hosts = await tokens("k", 60);
    const joiners = await tokens("j", 60);
    const games = await Promise.all(
      hosts.map(async (tok) => (await ok(apiClient(url(0)).createGame({ input: { gameType: "quad", visibility: "PRIVATE" } }, tok))).createGame),
    );
    const [joins, deletes] = await Promise.all([
      Promise.all(games.map((g, i) => matchClient(url(i + 1)).joinGameByCode({ code: g.joinCode! }, joiners[i]!))),
      Promise.all(games.map((g, i) => apiClient(url(i)).deleteGame({ id: g.id }, hosts[i]!))),
    ]);
    expect(deletes.every((d) => d.data?.deleteGame === true)).toBe(true);
    joins.forEach((r, i) => {
      if (r.errors) expect(["FORBIDDEN", "GAME_NOT_FOUND"]).toContain(codeOf(r));
      else expect(r.data!.joinGameByCode).toMatchObject({ id: games[i]!.id, players: [{ id: `k${i}` }, { id: `j${i}` }] });
    });
    expect((await players(games.map((g) => g.id))).every((g) => g === null)).toBe(true);
    // A code of a deleted game is free again and leads nowhere.
    expect(codeOf(await matchClient(url(0)).joinGameByCode({ code: games[0]!.joinCode! }, joiners[0]!))).toBe("FORBIDDEN");
    if (target.redis) {
      // On the cluster every {quad} key lives on one master: ask the cluster client, which routes by slot.
      const redis = target.redis.cluster
        ? new Redis.Cluster(target.redis.url.split(",").map((s) => ({ host: "127.0.0.1", port: Number(s.split(":")[1]) })))
        : new Redis(target.redis.url);
      try {
        // The cluster client knows its masters only once it is ready.
        if (redis instanceof Redis.Cluster) await new Promise((r) => (redis.status === "ready" ? r(null) : redis.once("ready", r)));
        const keysOf = async (pattern: string) =>
          redis instanceof Redis.Cluster
            ? (await Promise.all(redis.nodes("master").map((n) => n.keys(pattern)))).flat()
            : (redis as Redis).keys(pattern);
        const left = await keysOf(`${target.redis.prefix}:{quad}:game:*`);
        const stale = await Promise.all(games.map((g) => redis.exists(`${target.redis!.prefix}:{quad}:game:${g.id}`)));
        expect(stale.every((n) => n === 0)).toBe(true);
        expect(left.filter((k) => games.some((g) => k.endsWith(g.id)))).toEqual([]);
        expect(await redis.hlen(`${target.redis.prefix}:{quad}:codes`)).toBe(0);
      } finally {
        redis.disconnect();
      }
    }
  });
});
