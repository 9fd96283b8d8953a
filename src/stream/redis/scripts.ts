import { readFileSync } from "node:fs";
import type { RedisClient } from "../../redis/client.js";

/** The stream's Lua scripts, each in lua/<name>-<numKeys>.lua; every fenced one starts by checking the lease. */
const FILES = {
  acquire: "lease-acquire-2.lua",
  renew: "lease-renew-1.lua",
  release: "lease-release-1.lua",
  afterRead: "after-read-2.lua",
  claimOthers: "claim-others-2.lua",
  claim: "claim-2.lua",
  prune: "prune-2.lua",
} as const;

export type StreamScript = keyof typeof FILES;

/** What a fenced script answers when the caller's lease is not the one held (the `LOST` of the Lua files). */
export const LEASE_LOST = -1;

const LUA_DIR = new URL("./lua/", import.meta.url);
const packageVersion: string = (
  JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

let bodies: Record<StreamScript, string> | undefined;

/** A caller for the stream scripts registered on one client (EVALSHA, EVAL after a script flush). */
export type StreamScriptRunner = (name: StreamScript, keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

/**
 * Registers the stream scripts on `redis` once (ioredis defineCommand, named with the
 * package version so two releases on one client never run each other's). Throws when a
 * Lua file is missing (a packaging error); the runner rejects with the client's error.
 */
export function registerStreamScripts(redis: RedisClient): StreamScriptRunner {
  bodies ??= Object.fromEntries(
    Object.entries(FILES).map(([name, file]) => [name, `local LOST = ${LEASE_LOST}\n${readFileSync(new URL(file, LUA_DIR), "utf8")}`]),
  ) as Record<StreamScript, string>;
  const target = redis as unknown as Record<string, (...args: (string | number)[]) => Promise<unknown>>;
  const command = (name: StreamScript) => `mm_stream_${name}_v${packageVersion.replace(/\W/g, "_")}`;
  for (const [name, file] of Object.entries(FILES) as [StreamScript, string][]) {
    if (typeof target[command(name)] !== "function") {
      redis.defineCommand(command(name), { lua: bodies[name], numberOfKeys: Number(/-(\d+)\.lua$/.exec(file)![1]) });
    }
  }
  return (name, keys, args) => target[command(name)]!.call(redis, ...keys, ...args);
}
