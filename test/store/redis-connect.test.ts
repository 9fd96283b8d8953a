import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { connect } from "../../src/redis/connect.js";
import type { Redis } from "ioredis";
import { loadEnv } from "../../src/config/env.js";
import { createLogger } from "../../src/logger.js";
import { useRedisServer } from "./redis-fixture.js";

const fixture = useRedisServer();

/** Counts the socket writes the connection makes from now on (a `writev` of many commands is one). */
function countWrites(redis: Redis): () => number {
  const socket = redis.stream as Socket & { _writev?: (...a: unknown[]) => void; _write: (...a: unknown[]) => void };
  let writes = 0;
  for (const name of ["_write", "_writev"] as const) {
    const original = socket[name]!;
    socket[name] = function (this: Socket, ...args: unknown[]) {
      writes++;
      return original.apply(this, args);
    };
  }
  return () => writes;
}

describe("the data connection to one Redis", () => {
  let redis: Redis | undefined;
  afterEach(() => redis?.disconnect());

  it("sends the commands issued in one turn of the event loop in one socket write, and every answer comes back", async () => {
    redis = connect({ url: fixture.server().url }, loadEnv({}), createLogger("silent")) as Redis;
    await new Promise((resolve) => redis!.once("ready", resolve));
    const writes = countWrites(redis);
    const key = `coalesce-${Date.now()}`;
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => redis!.hset(key, `f${i}`, String(i))));
    expect(replies).toEqual(Array(200).fill(1));
    expect(writes()).toBe(1);
    // Commands of later turns are not held back waiting for anything: each turn goes out by itself.
    for (let i = 0; i < 3; i++) expect(await redis.hget(key, `f${i}`)).toBe(String(i));
    expect(writes()).toBe(4);
    await redis.del(key);
  });

  it("keeps coalescing on the socket of a reconnect", async () => {
    redis = connect({ url: fixture.server().url }, loadEnv({}), createLogger("silent")) as Redis;
    await new Promise((resolve) => redis!.once("ready", resolve));
    const first = redis.stream;
    // The server drops the connection; the client opens a new socket by itself.
    await fixture.client().client("KILL", "ID", String(await redis.client("ID")));
    await new Promise((resolve) => redis!.once("ready", resolve));
    expect(redis.stream).not.toBe(first);
    const writes = countWrites(redis);
    expect(await Promise.all(Array.from({ length: 50 }, () => redis!.ping()))).toEqual(Array(50).fill("PONG"));
    expect(writes()).toBe(1);
  });
});
