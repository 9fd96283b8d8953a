import { type AddressInfo, connect as connectTcp, createServer, type Socket } from "node:net";
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

/**
 * A TCP proxy to Redis that, while `dropNextReply` is set, lets the command through and cuts the
 * client's connection instead of passing the answer back: the command ran, its answer was lost.
 */
async function lossyProxy(target: number): Promise<{ port: number; dropNextReply: () => void; close: () => void }> {
  let drop = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connectTcp(target, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => sockets.delete(s));
    }
    client.pipe(upstream);
    upstream.on("data", (chunk) => {
      if (!drop) return client.write(chunk);
      drop = false;
      client.destroy();
      upstream.destroy();
    });
    client.on("close", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    dropNextReply: () => (drop = true),
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

describe("a command whose answer the connection lost", () => {
  it("is not run again after the reconnect: its caller is told it failed, and it ran once", async () => {
    const proxy = await lossyProxy(Number(new URL(fixture.server().url).port));
    const redis = connect({ url: `redis://127.0.0.1:${proxy.port}` }, loadEnv({}), createLogger("silent")) as Redis;
    try {
      await new Promise((resolve) => redis.once("ready", resolve));
      const key = `lost-answer-${Date.now()}`;
      proxy.dropNextReply();
      await expect(redis.incr(key)).rejects.toThrow();
      if (redis.status !== "ready") await new Promise((resolve) => redis.once("ready", resolve));
      // Had the client sent it again on the new connection, the counter would read 2.
      expect(await fixture.client().get(key)).toBe("1");
      expect(await redis.incr(key)).toBe(2);
      await fixture.client().del(key);
    } finally {
      redis.disconnect();
      proxy.close();
    }
  });
});
