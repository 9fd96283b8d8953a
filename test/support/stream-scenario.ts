import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { pino } from "pino";
import { createMemoryBus } from "../../src/bus/memory-bus.js";
import { parseCatalog } from "../../src/config/catalog.js";
import { parseGameEvent } from "../../src/domain/game-events.js";
import { type GameRecord, newGameRecord, type PlayerRecord, Visibility } from "../../src/domain/game.js";
import type { Catalog } from "../../src/domain/game-type.js";
import type { GameServerClient } from "../../src/gameserver/game-server-client.js";
import { createGameService } from "../../src/service/game-service.js";
import type { GameStore } from "../../src/store/game-store.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { createMemoryEventStream } from "../../src/stream/memory-event-stream.js";
import { mulberry32 } from "../../src/domain/tickets/prng.js";

/**
 * A backlog as game servers of the original generation write it, for order tests: many games
 * of a hosted type, each through its whole life cycle (no in_progress for half of them),
 * labels overwritten over and over, gameplay and heartbeats, disconnects, half the entries
 * with an event_id (some XADDed twice, as a producer retrying would), some games removed.
 * Every entry is valid when applied in stream order: a dead letter means order was lost.
 */
export const SCENARIO_TYPE = "arena";

export const SCENARIO_CATALOG_YAML = `gameTypes:
  - id: ${SCENARIO_TYPE}
    name: Arena
    minPlayers: 2
    maxPlayers: 4
    serverUrl: http://127.0.0.1:9
    socketUrl: 127.0.0.1:9
    labels: { round: number, map: string }
    stateTimeouts: { created: 3600, creator_joined: 3600, all_players_joined: 3600, in_progress: 3600, ended: 3600 }
    seatReservationSeconds: 3600
`;

export const scenarioCatalog = (): Catalog => parseCatalog(SCENARIO_CATALOG_YAML, "scenario.yaml");

/** The catalog as a file, for worker processes (MATCHMAKER_GAME_TYPES). */
export function scenarioCatalogFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), "mm-scenario-")), "catalog.yaml");
  writeFileSync(path, SCENARIO_CATALOG_YAML);
  return path;
}

/** Small, fast, seeded PRNG (mulberry32): the same seed gives the same backlog. */
export const rng = mulberry32;

export interface Scenario {
  games: GameRecord[];
  /** Entries in the order they are XADDed, as flat field maps. */
  entries: Record<string, string>[];
}

const MAPS = ["dust", "mirage", "inferno", "nuke"];

/** `games` games of ~`perGame` entries each, interleaved at random. */
export function buildScenario(opts: { games: number; perGame: number; seed: number; idPrefix: string }): Scenario {
  const random = rng(opts.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const t = 1_800_000_000_000;
  const games: GameRecord[] = [];
  const queues: Record<string, string>[][] = [];
  let eventSeq = 0;
  for (let g = 0; g < opts.games; g++) {
    const id = `${SCENARIO_TYPE}_${opts.idPrefix}${String(g).padStart(6, "0")}`;
    const host: PlayerRecord = { id: `h${g}`, name: "Host", joinedAt: t, confirmed: true, reservedUntil: null };
    const guests = [1, 2, 3].map((k): PlayerRecord => ({ id: `p${g}-${k}`, name: "Guest", joinedAt: t, confirmed: false, reservedUntil: t + 3_600_000 }));
    games.push(
      newGameRecord(id, {
        gameType: SCENARIO_TYPE,
        creatorId: host.id,
        players: [host, ...guests],
        capacity: 4,
        visibility: Visibility.PUBLIC,
        region: null,
        settings: {},
        labels: {},
        hosted: true,
        now: t,
      }),
    );
    const base = { product_id: SCENARIO_TYPE, game_id: id };
    const q: Record<string, string>[] = [];
    const meta = (round: number) => ({ ...base, type: "metadata", "meta.round": String(round), "meta.map": pick(MAPS) });
    const activity = () =>
      random() < 0.8 ? { ...base, type: "gameplay", event_name: "move", user_id: pick([host.id, ...guests.map((p) => p.id)]) } : { ...base, type: "heartbeat" };
    q.push({ ...base, type: "state_change", new_state: "creator_joined" });
    q.push({ ...base, type: "player_connected", player_id: guests[0]!.id });
    const body = Math.max(10, opts.perGame - 10);
    let round = 0;
    for (let i = 0; i < body; i++) {
      if (i === Math.floor(body / 3)) q.push({ ...base, type: "player_disconnect", player_id: guests[2]!.id });
      if (i === Math.floor(body / 2)) q.push({ ...base, type: "state_change", new_state: "all_players_joined" });
      if (i === Math.floor((2 * body) / 3) && g % 2 === 0) q.push({ ...base, type: "state_change", new_state: "in_progress" });
      q.push(random() < 0.35 ? meta(++round) : activity());
    }
    q.push({ ...base, type: "game_over", winner_id: host.id, loser_id: guests[0]!.id, rounds: String(round) });
    // After the end, as real servers do: a disconnect (the roster stays), some last activity.
    q.push({ ...base, type: "player_disconnect", player_id: guests[0]!.id }, activity());
    if (g % 5 === 0) q.push({ ...base, type: "game_removed" }, activity());
    for (const e of q) if (random() < 0.5) e.event_id = `${id}:${eventSeq++}`;
    queues.push(q);
  }
  const entries: Record<string, string>[] = [];
  const live = queues.map((_, i) => i);
  while (live.length > 0) {
    const at = Math.floor(random() * live.length);
    const q = queues[live[at]!]!;
    // Game servers write in bursts: several entries of one game in a row, so one batch holds
    // several of a game's entries — re-applying half a batch would show.
    for (let burst = 1 + Math.floor(random() * 8); burst > 0 && q.length > 0; burst--) {
      const e = q.shift()!;
      entries.push(e);
      // A producer retrying a write it did not see succeed: same event_id, a new stream entry.
      if (e.event_id && random() < 0.02) entries.push({ ...e });
    }
    if (q.length === 0) live.splice(at, 1);
  }
  return { games, entries };
}

/** What must match between the worker's result and the replay. */
export function snapshotOf(g: GameRecord | null) {
  if (!g) return null;
  return {
    state: g.state,
    hostConnected: g.hostConnected,
    version: g.version,
    // Sorted: stores keep labels in different key orders, which means nothing.
    labels: Object.fromEntries(Object.entries(g.labels).sort(([a], [b]) => a.localeCompare(b))),
    result: g.result && Object.fromEntries(Object.entries(g.result).sort(([a], [b]) => a.localeCompare(b))),
    players: g.players.map((p) => [p.id, p.confirmed]),
  };
}

const noServers: GameServerClient = {
  hasServer: () => false,
  createGame: () => Promise.reject(new Error("no game server in a replay")),
  joinGame: () => Promise.reject(new Error("no game server in a replay")),
  removeGame: async () => {},
  removePlayer: async () => {},
};

/**
 * A plain in-order replay: the games created in an embedded store, then every entry applied
 * one at a time in stream order through the same GameService (entry ids as the stream gave
 * them). Returns the store; throws on any entry the replay itself could not apply.
 */
export async function replay(s: Scenario, entryIds: readonly string[]): Promise<GameStore> {
  const catalog = scenarioCatalog();
  const store = createMemoryStore({ catalog });
  const service = createGameService({
    store,
    bus: createMemoryBus("replay"),
    stream: createMemoryEventStream(),
    catalog,
    gameServers: noServers,
    validateSettings: () => ({}),
    logger: pino({ level: "silent" }),
  });
  for (const g of s.games) await store.create(g);
  for (const [i, fields] of s.entries.entries()) {
    const parsed = parseGameEvent(fields);
    if (!parsed.ok) throw new Error(`the scenario wrote a bad entry: ${parsed.detail}`);
    const r = await service.applyGameEvent(parsed.event, entryIds[i]!);
    if (r.status === "gone" && parsed.event.type !== "game_removed" && !["gameplay", "heartbeat"].includes(parsed.event.type)) {
      throw new Error(`entry ${i} (${fields.type}) found its game gone in the replay`);
    }
  }
  return store;
}

/** Creates the scenario's games through `store` and XADDs its entries to `streamKey`; resolves their entry ids in order. */
export async function writeScenario(redis: Pick<Redis, "pipeline">, store: GameStore, s: Scenario, streamKey: string): Promise<string[]> {
  for (const g of s.games) await store.create(g);
  const ids: string[] = [];
  for (let i = 0; i < s.entries.length; i += 2_000) {
    const p = redis.pipeline();
    for (const e of s.entries.slice(i, i + 2_000)) p.xadd(streamKey, "*", ...Object.entries(e).flat());
    for (const [err, id] of (await p.exec())!) {
      if (err) throw err;
      ids.push(id as string);
    }
  }
  return ids;
}
