import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/domain/errors.js";
import { GameState, Visibility } from "../../src/domain/game.js";
import { GAME_TOMBSTONE_MS } from "../../src/store/deadlines.js";
import { createRedisStore } from "../../src/store/redis/redis-store.js";
import { DUEL, filterOf, joinCmd, leaveCmd, makeGame, player, sortOf, testCatalog } from "../support/games.js";
import { randomPrefix } from "../support/redis-server.js";
import { expectCode } from "./contract-support.js";
import { useRedisServer } from "./redis-fixture.js";

const fixture = useRedisServer();
const newStore = (redis = fixture.client(), prefix = randomPrefix()) =>
  ({ prefix, store: createRedisStore({ redis, prefix, catalog: testCatalog }) });

describe("Redis store specifics", () => {
  it("keeps every key of a type in one hash slot, under the prefix", async () => {
    const { prefix, store } = newStore();
    const g = makeGame({ region: "eu", labels: { mode: "ranked", rating: 3 } });
    await store.create(g);
    const keys = (await fixture.client().keys(`${prefix}:*`)).sort();
    expect(keys).toEqual(
      [
        `game:${g.id}`,
        "ix:deadline",
        "ix:free",
        "ix:lbl:mode=ranked",
        "ix:num:rating",
        "ix:qj",
        "ix:qj:region:eu",
        "ix:region:eu",
        "ix:state:OPEN",
        "ix:vis:PUBLIC",
      ].map((k) => `${prefix}:{duel}:${k}`),
    );
    expect(await fixture.client().zscore(`${prefix}:{duel}:ix:free`, g.id)).toBe("3");
  });

  it("leaves no key behind once its games are gone", async () => {
    const { prefix, store } = newStore();
    const a = makeGame({ region: "eu", labels: { mode: "ranked", rating: 3 } });
    const b = makeGame({ region: "us", labels: { mode: "casual", rating: 4 }, capacity: 2 });
    await store.create(a);
    await store.create(b);
    await store.join(joinCmd(b, "bob"));
    const admin = { id: "root", name: "root", admin: true };
    await store.update({ ref: a, actor: admin, patch: { labels: { mode: "x", rating: 9 }, visibility: Visibility.PRIVATE }, expectedVersion: null, now: 1 });
    await store.leave(leaveCmd(a, "alice")); // the creator: deletes
    await store.delete({ ref: b, actor: null, now: 2 });
    // Only the two tombstones are left, and they expire by themselves.
    const left = (await fixture.client().keys(`${prefix}:*`)).sort();
    expect(left).toEqual([`${prefix}:{duel}:gone:${a.id}`, `${prefix}:{duel}:gone:${b.id}`].sort());
    for (const key of left) {
      const ttl = await fixture.client().pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(GAME_TOMBSTONE_MS);
    }
  });

  it("counts the default listing (public, not ended) exactly without examining every game, while the ended games are few", async () => {
    // Budgets far below the 9 public games: the count may read at most 3 members.
    const store = createRedisStore({ redis: fixture.client(), prefix: randomPrefix(), catalog: testCatalog, searchBudget: { scan: 3, count: 3, materialize: 0 } });
    for (let i = 0; i < 6; i++) await store.create(makeGame());
    await store.create(makeGame({ visibility: Visibility.PRIVATE }));
    for (let i = 0; i < 2; i++) await store.create(makeGame({ state: GameState.ENDED }));
    // Ended but private: read with the ended ones, and not taken off the public count.
    await store.create(makeGame({ state: GameState.ENDED, visibility: Visibility.PRIVATE }));
    // What the API lists by default: every state but ENDED.
    const live = [GameState.CREATED, GameState.OPEN, GameState.FULL, GameState.IN_PROGRESS];
    const page = () => store.list({ filter: filterOf({ gameTypes: [DUEL], states: live }), sort: sortOf(), first: 2, after: null });
    const p = await page();
    expect([p.totalCount, p.totalCountCapped, p.items.length, p.hasNextPage]).toEqual([6, false, 2, true]);
    // A fourth ended game is more than the budget lets the count read: the count is capped again.
    await store.create(makeGame({ state: GameState.ENDED }));
    const q = await page();
    expect(q.totalCountCapped).toBe(true);
    expect(q.totalCount).toBeLessThanOrEqual(6);
  });

  it("remembers an event id under the type's hash tag for the dedupe window only", async () => {
    const prefix = randomPrefix();
    const store = createRedisStore({ redis: fixture.client(), prefix, catalog: testCatalog, eventDedupeMs: 60_000 });
    const g = makeGame();
    await store.create(g);
    await store.applyEvent({ ref: g, effect: { kind: "touch" }, eventId: "ev:1/{x}", entryId: null, now: 1 });
    const key = `${prefix}:{duel}:evt:${encodeURIComponent("ev:1/{x}")}`;
    const ttl = await fixture.client().pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });


  it("leaves an event's id unclaimed when applying it raised, so the retried entry applies", async () => {
    const prefix = randomPrefix();
    const store = createRedisStore({ redis: fixture.client(), prefix, catalog: testCatalog, eventDedupeMs: 60_000 });
    const g = makeGame();
    await store.create(g);
    const hash = `${prefix}:{duel}:game:${g.id}`;
    const pids = await fixture.client().hget(hash, "pids");
    // A hash the script cannot read: it raises part-way through, after the id's claim.
    await fixture.client().hset(hash, "pids", "not json");
    const event = { ref: g, effect: { kind: "mergeLabels", labels: { mode: "ranked" } } as const, eventId: "ev-raise", entryId: "7-0", now: 5 };
    await expect(store.applyEvent(event)).rejects.toThrow(/failed in Redis/);
    expect(await fixture.client().exists(`${prefix}:{duel}:evt:ev-raise`)).toBe(0);
    await fixture.client().hset(hash, "pids", pids!);
    const retried = await store.applyEvent(event);
    expect(retried.status).toBe("applied");
    expect((await store.get(g))?.labels).toMatchObject({ mode: "ranked" });
  });

  it("keeps an event's id once its effect was written, even when the script fails after it: the retry is a duplicate", async () => {
    const prefix = randomPrefix();
    const store = createRedisStore({ redis: fixture.client(), prefix, catalog: testCatalog, eventDedupeMs: 60_000 });
    const g = makeGame();
    await store.create(g);
    const deadlines = `${prefix}:{duel}:ix:deadline`;
    // The deadline index as a string: the event's ZADD fails after its hash write.
    await fixture.client().del(deadlines);
    await fixture.client().set(deadlines, "not a sorted set");
    const event = { ref: g, effect: { kind: "mergeLabels", labels: { mode: "ranked" } } as const, eventId: "ev-late", entryId: null, now: 5 };
    await expect(store.applyEvent(event)).rejects.toThrow(/failed in Redis/);
    expect((await store.get(g))?.version).toBe(g.version + 1);
    await fixture.client().del(deadlines);
    expect((await store.applyEvent(event)).status).toBe("duplicate");
    expect((await store.get(g))?.version).toBe(g.version + 1);
  });
  it("refuses ids and types that would break the key grammar", async () => {
    const { store } = newStore();
    await expectCode(store.get({ gameType: DUEL, id: "duel_a:b" }), ErrorCode.BAD_USER_INPUT);
    await expectCode(store.create(makeGame({ id: "x{y}" })), ErrorCode.BAD_USER_INPUT);
    await expectCode(store.join(joinCmd({ gameType: "du:el", id: "duel_1" }, "bob")), ErrorCode.BAD_USER_INPUT);
  });

  it("round-trips players and labels that JSON and cjson must escape", async () => {
    const { store } = newStore();
    const odd = 'ü/"\\ \u0001 🎲';
    const g = makeGame({ players: [player("alice"), player(odd)], labels: { mode: odd } });
    await store.create(g);
    await store.join(joinCmd(g, "bob"));
    // A listed game comes back from the script as one cjson-encoded string.
    const listed = (await store.list({ filter: filterOf(), sort: sortOf(), first: 10, after: null })).items.find((i) => i.game.id === g.id)!.game;
    expect(listed.players.map((p) => p.id)).toEqual(["alice", odd, "bob"]);
    expect(listed.labels).toEqual({ mode: odd });
    expect(listed).toEqual(await store.get(g));
    const change = await store.leave(leaveCmd(g, odd));
    expect(change.game.players.map((p) => p.id)).toEqual(["alice", "bob"]);
    await store.leave(leaveCmd(g, "bob"));
    expect((await store.get(g))!.players.map((p) => p.id)).toEqual(["alice"]);
  });

  // WORKER_WAIT_REPLICAS: WAIT counts the writes of the connection it is sent on.
  it("does not vouch for writes made on a connection that was lost since the mark", async () => {
    const redis = new Redis(fixture.server().url);
    try {
      const { store } = newStore(redis);
      const mark = store.replicationMark();
      await store.create(makeGame());
      // No replica at all: held to the none it has.
      expect(await store.replicated(1, 100, mark)).toBe(true);
      const id = (await redis.client("ID")) as number;
      const closed = new Promise((r) => redis.once("close", r));
      await fixture.client().client("KILL", "ID", String(id));
      await closed;
      await new Promise((r) => redis.once("ready", r));
      expect(await store.replicated(1, 100, mark)).toBe(false);
      expect(await store.replicated(1, 100, store.replicationMark())).toBe(true);
    } finally {
      redis.disconnect();
    }
  });

  it("registers its scripts under versioned names and never closes the caller's client", async () => {
    const { store } = newStore();
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    const command = `mm_join_v${version.replace(/\W/g, "_")}`;
    expect(typeof (fixture.client() as unknown as Record<string, unknown>)[command]).toBe("function");
    await store.ping();
    await store.close();
    await store.close();
    await expectCode(store.ping(), ErrorCode.BACKEND_UNAVAILABLE);
    expect(await fixture.client().ping()).toBe("PONG");
  });

  // Last: it restarts the file's server, which wipes every key.
  it("answers BACKEND_UNAVAILABLE while Redis is down and works again after a restart", async () => {
    const redis = new Redis(fixture.server().url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    try {
      const { store } = newStore(redis);
      await new Promise((r) => redis.once("ready", r));
      await store.create(makeGame());
      await fixture.server().stop();
      await expectCode(store.create(makeGame()), ErrorCode.BACKEND_UNAVAILABLE);
      await fixture.server().restart();
      await new Promise((r) => (redis.status === "ready" ? r(null) : redis.once("ready", r)));
      // The restart flushed the script cache too: the scripts must be reloaded transparently.
      const g = (await store.create(makeGame({ visibility: Visibility.PUBLIC }))).game;
      expect((await store.join(joinCmd(g, "bob"))).version).toBe(2);
    } finally {
      redis.disconnect();
    }
  });
});
