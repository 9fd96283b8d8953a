import { beforeEach, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, tokenFor } from "../support/app.js";
import { apiClient, type ApiClient, ok } from "../support/api-client.js";
import { type FakeGameServer, startFakeGameServer } from "../support/fake-game-server.js";
import { useHostedApp } from "./hosted.js";
import { randomPrefix, startRedisServer } from "../support/redis-server.js";
import { serverCatalog } from "../support/server-catalog.js";
import { bothModes } from "./modes.js";
import { streamAccess } from "./stream-access.js";

const SECOND = 1_000;
// The sweeper is driven by hand (sweepOnce) with a clock the test moves.
const WORKER_ENV = { WORKER_BLOCK_MS: "20", SWEEP_INTERVAL_MS: "600000" };

describe.each(bothModes())("expiry with a controlled clock ($name)", (mode) => {
  let clock = 0;
  const h = useHostedApp(mode, () => {
    clock = Date.UTC(2026, 10, 24, 12, 0, 0);
    return { worker: true, now: () => clock, env: WORKER_ENV };
  });
  let server: FakeGameServer, t: TestApp, api: ApiClient, alice: string, bob: string;
  beforeEach(() => ({ server, t, api, alice, bob } = h));

  // The sweeper calls the game server in the background; wait for those calls too.
  const sweep = async () => {
    const r = await t.app.worker!.sweeper.sweepOnce();
    await t.app.service.drain();
    return r;
  };

  it("deletes a game left in a state past its timeout and tells the game server, once", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "duel" } }, alice))).createGame;
    expect(new Date(g.createdAt).getTime()).toBe(clock);
    clock += 59 * SECOND;
    expect(await sweep()).toEqual({ expired: 0, seatsFreed: 0 });
    expect((await ok(api.game({ id: g.id }))).game).not.toBeNull();

    clock += 2 * SECOND;
    expect(await sweep()).toEqual({ expired: 1, seatsFreed: 0 });
    expect((await ok(api.game({ id: g.id }))).game).toBeNull();
    expect(server.requestsTo("/remove_game").map((r) => r.body)).toEqual([{ gameId: g.id }]);
    expect(await sweep()).toEqual({ expired: 0, seatsFreed: 0 });
  });

  it("counts any event as activity, so a game in play does not expire", async () => {
    const s = streamAccess(t, mode.redisUrl());
    try {
      const g = (await ok(api.createGame({ input: { gameType: "duel" } }, alice))).createGame;
      for (let i = 0; i < 3; i++) {
        clock += 50 * SECOND;
        await s.xadd({ product_id: "duel", game_id: g.id, type: "heartbeat" });
        await s.drained();
        expect((await sweep()).expired).toBe(0);
      }
      clock += 61 * SECOND;
      expect((await sweep()).expired).toBe(1);
    } finally {
      s.close();
    }
  });

  it("frees an unconfirmed seat seatReservationSeconds after the host connected, calls remove_player and lists the game again", async () => {
    const s = streamAccess(t, mode.redisUrl());
    try {
      const g = (await ok(api.createGame({ input: { gameType: "duel", capacity: 2 } }, alice))).createGame;
      await ok(api.joinGame({ id: g.id }, bob));
      expect((await ok(api.game({ id: g.id }))).game).toMatchObject({ freeSeats: 0, state: "FULL", hostConnected: false });
      // Bob cannot connect before the host has: his reservation does not run yet.
      clock += 31 * SECOND;
      expect(await sweep()).toEqual({ expired: 0, seatsFreed: 0 });
      await s.xadd({ product_id: "duel", game_id: g.id, type: "state_change", new_state: "creator_joined" });
      await s.drained();
      expect((await ok(api.game({ id: g.id }))).game).toMatchObject({ state: "FULL", hostConnected: true, version: 3 });
      clock += 29 * SECOND;
      expect(await sweep()).toEqual({ expired: 0, seatsFreed: 0 });
      clock += 2 * SECOND;
      expect(await sweep()).toEqual({ expired: 0, seatsFreed: 1 });
      const after = (await ok(api.game({ id: g.id }))).game!;
      expect(after).toMatchObject({ freeSeats: 1, state: "OPEN", version: 4 });
      expect(after.players.map((p) => p.id)).toEqual(["alice"]);
      expect(server.requestsTo("/remove_player").map((r) => r.body)).toEqual([{ gameId: g.id, userId: "bob" }]);
      const open = (await ok(api.games({ filter: { gameType: "duel", minFreeSeats: 1 } }))).games;
      expect(open.edges.map((e) => e.node.id)).toContain(g.id);
    } finally {
      s.close();
    }
  });

  it("never lists a game whose host did not connect: a lapsed seat there is the game's own timeout's business", async () => {
    const g = (await ok(api.createGame({ input: { gameType: "duel", capacity: 3 } }, alice))).createGame;
    await ok(api.joinGame({ id: g.id }, bob));
    clock += 59 * SECOND;
    expect(await sweep()).toEqual({ expired: 0, seatsFreed: 0 });
    const listed = (await ok(api.games({ filter: { gameType: "duel" } }))).games;
    expect(listed.edges.map((e) => e.node.id)).not.toContain(g.id);
    clock += 2 * SECOND;
    expect(await sweep()).toEqual({ expired: 1, seatsFreed: 0 });
    expect(server.requestsTo("/remove_game").map((r) => r.body)).toEqual([{ gameId: g.id }]);
  });

  it("keeps the seats of a game that started, even when the server never confirmed them one by one", async () => {
    const s = streamAccess(t, mode.redisUrl());
    try {
      const g = (await ok(api.createGame({ input: { gameType: "duel", capacity: 2 } }, alice))).createGame;
      await ok(api.joinGame({ id: g.id }, bob)); // the last seat: FULL, bob's seat reserved
      await s.xadd(
        { product_id: "duel", game_id: g.id, type: "state_change", new_state: "creator_joined" },
        { product_id: "duel", game_id: g.id, type: "state_change", new_state: "in_progress" },
      );
      await s.drained();
      clock += 31 * SECOND;
      expect(await sweep()).toEqual({ expired: 0, seatsFreed: 0 });
      expect((await ok(api.game({ id: g.id }))).game!.seats.map((s) => [s.player.id, s.confirmed])).toEqual([
        ["alice", true],
        ["bob", true],
      ]);
      expect(server.requestsTo("/remove_player")).toHaveLength(0);
    } finally {
      s.close();
    }
  });

  it("keeps a seat the game server confirmed", async () => {
    const s = streamAccess(t, mode.redisUrl());
    try {
      const g = (await ok(api.createGame({ input: { gameType: "duel" } }, alice))).createGame;
      await ok(api.joinGame({ id: g.id }, bob));
      await s.xadd({ product_id: "duel", game_id: g.id, type: "player_connected", player_id: "bob" });
      await s.drained();
      clock += 31 * SECOND;
      expect(await sweep()).toEqual({ expired: 0, seatsFreed: 0 });
      expect(server.requestsTo("/remove_player")).toHaveLength(0);
    } finally {
      s.close();
    }
  });
});

describe("two sweepers racing on one Redis", () => {
  it("expire each game exactly once", async () => {
    const redis = await startRedisServer();
    const server = await startFakeGameServer();
    let clock = Date.UTC(2026, 10, 24, 12, 0, 0);
    const opts = { redisUrl: redis.url, prefix: randomPrefix(), catalog: serverCatalog(server.url), worker: true, now: () => clock, env: WORKER_ENV };
    const [a, b] = await Promise.all([startTestApp(opts), startTestApp(opts)]);
    try {
      const alice = await tokenFor("alice");
      const ids = [];
      for (let i = 0; i < 40; i++) ids.push((await ok(apiClient(a.url).createGame({ input: { gameType: "duel" } }, alice))).createGame.id);
      clock += 61 * SECOND;
      const [ra, rb] = await Promise.all([a.app.worker!.sweeper.sweepOnce(), b.app.worker!.sweeper.sweepOnce()]);
      await Promise.all([a.app.service.drain(), b.app.service.drain()]);
      expect(ra.expired + rb.expired).toBe(40);
      const removed = server.requestsTo("/remove_game").map((r) => (r.body as { gameId: string }).gameId);
      expect(removed.sort()).toEqual([...ids].sort());
    } finally {
      await Promise.all([a.close(), b.close()]);
      await server.close();
      await redis.stop();
    }
  });
});
