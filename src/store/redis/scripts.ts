import { readFileSync } from "node:fs";
import type { RedisClient } from "../../redis/client.js";
import { ALL_STATES, GameState, Visibility } from "../../domain/game.js";
import { PARTY_IDLE_MS } from "../../domain/party.js";
import { QUICK_JOIN_FREE_WEIGHT, QUICK_JOINABLE_STATES } from "../../domain/quick-join.js";
import { CREATED_GAMES_TRACKED_MS, GAME_TOMBSTONE_MS } from "../deadlines.js";
import { TicketStatus } from "../../domain/tickets/ticket-record.js";
import { QUEUE_ACTIVITY_KEPT_MS } from "../queue-activity.js";
import { ENDED_TICKET_KEPT_MS, QUEUE_WAITS_KEPT, TICKET_FEED_KEPT_MS } from "../ticket-store.js";
import { ScriptCode } from "./script-errors.js";

/** The store's Lua scripts, each in lua/<name>-<numKeys>.lua (see scriptFiles). */
export type ScriptName =
  | "create"
  | "join"
  | "leave"
  | "update"
  | "delete"
  | "list"
  | "events"
  | "expire"
  | "activity"
  | "quickjoin"
  | "token"
  | "evict"
  | "outboxTake"
  | "partyPut"
  | "partyDelete"
  | "ticketEnqueue"
  | "ticketEnd"
  | "ticketCommit"
  | "ticketFeed"
  | "ticketPage"
  | "ticketBackfill";

/**
 * File per script. `<name>-<n>.lua` takes exactly n KEYS; `<name>-n.lua` takes a varying
 * number (the static indexes of a game, the indexes a list plan names, an event's
 * optional event-id key and label indexes), is defined
 * without numberOfKeys, and is called with numkeys as its first argument.
 */
const scriptFiles: Record<ScriptName, string> = {
  create: "create-n.lua",
  join: "join-9.lua",
  leave: "leave-8.lua",
  update: "update-n.lua",
  delete: "delete-8.lua",
  list: "list-n.lua",
  events: "events-n.lua",
  expire: "expire-8.lua",
  activity: "activity-n.lua",
  quickjoin: "quickjoin-n.lua",
  token: "token-8.lua",
  evict: "evict-8.lua",
  outboxTake: "outbox-take-2.lua",
  partyPut: "party-put-1.lua",
  partyDelete: "party-delete-1.lua",
  ticketEnqueue: "ticket-enqueue-7.lua",
  ticketEnd: "ticket-end-n.lua",
  ticketCommit: "ticket-commit-n.lua",
  ticketFeed: "ticket-feed-2.lua",
  ticketPage: "ticket-page-1.lua",
  ticketBackfill: "ticket-backfill-16.lua",
};

const LUA_DIR = new URL("./lua/", import.meta.url);
const INCLUDE = /^--\s*@include\s+(\S+)\s*$/gm;

const packageVersion: string = (
  JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

// Generated from the TypeScript enums so states and codes have one home.
const prelude = [
  `local CODE = { ${Object.entries(ScriptCode)
    .filter(([, v]) => typeof v === "number")
    .map(([k, v]) => `${k} = ${v}`)
    .join(", ")} }`,
  `local STATE_NAMES = { ${ALL_STATES.map((s) => JSON.stringify(s)).join(", ")} }`,
  // What makes a game quick-joinable (see isQuickJoinable), so the rule has one home.
  `local QUICK_JOINABLE = { ${QUICK_JOINABLE_STATES.map((s) => `[${JSON.stringify(s)}] = true`).join(", ")} }`,
  `local PUBLIC = ${JSON.stringify(Visibility.PUBLIC)}`,
  `local FREE_WEIGHT = ${QUICK_JOIN_FREE_WEIGHT}`,
  `local TOMBSTONE_MS = ${GAME_TOMBSTONE_MS}`,
  `local CREATED_TRACKED_MS = ${CREATED_GAMES_TRACKED_MS}`,
  `local PARTY_IDLE_MS = ${PARTY_IDLE_MS}`,
  `local ENDED = ${JSON.stringify(GameState.ENDED)}`,
  `local SEARCHING = ${JSON.stringify(TicketStatus.SEARCHING)}`,
  `local MATCHED = ${JSON.stringify(TicketStatus.MATCHED)}`,
  `local ENDED_KEPT_MS = ${ENDED_TICKET_KEPT_MS}`,
  `local FEED_KEPT_MS = ${TICKET_FEED_KEPT_MS}`,
  `local WAITS_KEPT = ${QUEUE_WAITS_KEPT}`,
  `local ACTIVITY_KEPT_MS = ${QUEUE_ACTIVITY_KEPT_MS}`,
].join("\n");

interface LoadedScript {
  command: string;
  numberOfKeys: number | undefined;
  lua: string;
}

function load(name: ScriptName): LoadedScript {
  const file = scriptFiles[name];
  // Includes may include others; each goes in once, where it is first named.
  const seen = new Set<string>();
  const expand = (text: string): string =>
    text.replace(INCLUDE, (_, inc: string) => {
      if (seen.has(inc)) return "";
      seen.add(inc);
      return expand(readFileSync(new URL(`includes/${inc}.lua`, LUA_DIR), "utf8"));
    });
  const body = expand(readFileSync(new URL(file, LUA_DIR), "utf8"));
  const count = /-(\d+)\.lua$/.exec(file)?.[1];
  return {
    // The version in the name keeps two releases sharing a client from running each other's script.
    command: `mm_${name}_v${packageVersion.replace(/\W/g, "_")}`,
    numberOfKeys: count === undefined ? undefined : Number(count),
    lua: `${prelude}\n${body}`,
  };
}

let loaded: Record<ScriptName, LoadedScript> | undefined;

/** Reads and assembles every script once per process. Throws if a Lua file is missing (a packaging error). */
function scripts(): Record<ScriptName, LoadedScript> {
  loaded ??= Object.fromEntries(
    (Object.keys(scriptFiles) as ScriptName[]).map((n) => [n, load(n)]),
  ) as Record<ScriptName, LoadedScript>;
  return loaded;
}

/**
 * On a cluster, ioredis groups an auto-pipeline by the node of a command's first argument; a
 * script whose key count varies is called with that count first, so it is sent on its own
 * (every other command and script still shares its node's round trip).
 */
function keepOutOfAutoPipelines(redis: RedisClient, commands: string[]): void {
  const options = redis.options as { autoPipeliningIgnoredCommands?: string[] };
  const ignored = options.autoPipeliningIgnoredCommands ?? [];
  // A new array: ioredis's default one is shared by every client.
  options.autoPipeliningIgnoredCommands = [...ignored, ...commands.filter((c) => !ignored.includes(c))];
}

/** A typed caller for the scripts registered on one client. */
export type ScriptRunner = (name: ScriptName, keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

/**
 * Registers every script on `redis` with defineCommand (once per name: ioredis then
 * runs EVALSHA and falls back to EVAL after a server restart flushed its script cache).
 * The runner rejects with the client's error when Redis fails or a script raises.
 */
export function registerScripts(redis: RedisClient): ScriptRunner {
  const all = scripts();
  const target = redis as unknown as Record<string, (...args: (string | number)[]) => Promise<unknown>>;
  if (redis.isCluster) keepOutOfAutoPipelines(redis, Object.values(all).filter((s) => s.numberOfKeys === undefined).map((s) => s.command));
  for (const s of Object.values(all)) {
    if (typeof target[s.command] !== "function") {
      redis.defineCommand(s.command, s.numberOfKeys === undefined ? { lua: s.lua } : { lua: s.lua, numberOfKeys: s.numberOfKeys });
    }
  }
  return (name, keys, args) => {
    const s = all[name];
    if (s.numberOfKeys !== undefined && keys.length !== s.numberOfKeys) {
      throw new Error(`Script ${name} takes ${s.numberOfKeys} keys, got ${keys.length}.`);
    }
    const head = s.numberOfKeys === undefined ? [keys.length] : [];
    return target[s.command]!.call(redis, ...head, ...keys, ...args);
  };
}
