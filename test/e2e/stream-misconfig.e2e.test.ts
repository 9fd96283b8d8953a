import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiProcess, startApiProcess } from "../support/api-process.js";
import { apiClient, ok } from "../support/api-client.js";
import { tokenFor, waitFor } from "../support/app.js";
import { type FakeGameServer, startFakeGameServer } from "../support/fake-game-server.js";
import { randomPrefix, type RedisServer, startRedisServer } from "../support/redis-server.js";
import { serverCatalogYaml } from "../support/server-catalog.js";

/**
 * The original deployment's layout: games in Redis database 0, the stream in database 1.
 * With only REDIS_URL set the worker reads database 0, where no entry ever arrives; the
 * operator must be told, not left to find hosted games silently expiring.
 */
describe("a worker reading the stream from the wrong database", () => {
  let redisServer: RedisServer;
  let db1: Redis;
  let gameServer: FakeGameServer;
  let catalogFile: string;
  const procs: ApiProcess[] = [];

  beforeAll(async () => {
    [redisServer, gameServer] = await Promise.all([startRedisServer(), startFakeGameServer()]);
    db1 = new Redis(`${redisServer.url}/1`);
    catalogFile = join(mkdtempSync(join(tmpdir(), "mm-misconfig-")), "catalog.yaml");
    // Hosted games wait 1 s for their host, so the misconfiguration shows quickly.
    writeFileSync(catalogFile, serverCatalogYaml(gameServer.url).replace("stateTimeouts: { created: 60,", "stateTimeouts: { created: 1,"));
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    db1?.disconnect();
    await Promise.all([redisServer?.stop(), gameServer?.close()]);
  });

  async function start(prefix: string, env: Record<string, string> = {}) {
    const p = await startApiProcess(`${redisServer.url}/0`, prefix, "all", {
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      MATCHMAKER_GAME_TYPES: catalogFile,
      EVENT_STREAM_KEY: "game_event_stream",
      SWEEP_INTERVAL_MS: "100",
      ...env,
    });
    procs.push(p);
    return p;
  }
  const metricValue = async (p: ApiProcess, streamSeen: string) => {
    const text = await (await fetch(p.metricsUrl)).text();
    const line = text.split("\n").find((l) => l.startsWith(`matchmaker_expired_before_host_total{game_type="duel",stream_seen="${streamSeen}"}`));
    return line ? Number(line.split(" ").at(-1)) : 0;
  };

  it("says so at start-up and whenever hosted games expire with no entry of their type ever read", async () => {
    // A game server of the original generation has been writing to database 1.
    await db1.xadd("game_event_stream", "*", "product_id", "duel", "game_id", "duel_0000000000000000", "type", "heartbeat");
    const p = await start(randomPrefix());
    await waitFor(() => /database 1 of the same server holds a stream of that name/.test(p.output()), "the start-up warning");
    expect(p.output()).toContain("EVENT_STREAM_REDIS_URL=redis://127.0.0.1:");
    expect(p.output()).not.toMatch(/\n\s+at /); // a warning, not a stack trace

    const api = apiClient(p.url);
    const g = (await ok(api.createGame({ input: { gameType: "duel" } }, await tokenFor("alice")))).createGame;
    await waitFor(async () => (await ok(api.game({ id: g.id }))).game === null, "the hosted game to expire", 10_000);
    await waitFor(() => p.output().includes("keep expiring before their host connected"), "the expiry warning");
    const line = p.output().split("\n").find((l) => l.includes("keep expiring before their host connected"))!;
    expect(line).toContain('stream \\"game_event_stream\\" on redis://127.0.0.1:');
    expect(line).toContain("(database 0)");
    expect(await metricValue(p, "false")).toBe(1);
  }, 30_000);

  it("is quiet when the stream is read where the game servers write it", async () => {
    const p = await start(randomPrefix(), { EVENT_STREAM_REDIS_URL: `${redisServer.url}/1` });
    const api = apiClient(p.url);
    const g = (await ok(api.createGame({ input: { gameType: "duel" } }, await tokenFor("alice")))).createGame;
    await db1.xadd("game_event_stream", "*", "product_id", "duel", "game_id", g.id, "type", "state_change", "new_state", "creator_joined");
    await waitFor(async () => (await ok(api.game({ id: g.id }))).game?.state === "OPEN", "creator_joined to arrive");
    // A second game whose host never connects expires as it should, without the warning.
    const lost = (await ok(api.createGame({ input: { gameType: "duel" } }, await tokenFor("bob")))).createGame;
    await waitFor(async () => (await ok(api.game({ id: lost.id }))).game === null, "the abandoned game to expire", 10_000);
    await waitFor(async () => (await metricValue(p, "true")) === 1, "the expiry to be counted");
    expect(p.output()).not.toContain("keep expiring before their host connected");
    expect(p.output()).not.toContain("holds a stream of that name");
  }, 30_000);
});
