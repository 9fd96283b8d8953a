/**
 * One process of the peer bench (forked by peer.bench.ts): `node peer-process.js <kind> <redisUrl>`.
 *
 *   colyseus    Colyseus 0.16's matchmaker (@colyseus/core) with its Redis presence and driver,
 *               one room type "lobby" whose rooms keep `capacity` seats (autoDispose off, so
 *               rooms without clients stay listed, as lobbies waiting for players do);
 *   matchmaker  this project's GameService on the same Redis, one lobby type of `capacity` seats.
 *
 * Over IPC: { cmd: "populate", rooms } (rooms created ahead, Colyseus only), { cmd: "latency",
 * calls } (sequential joins, each timed: p50/p99 in ms), { cmd: "race", joiners } (that many
 * joins at once from the instant `at`; the room or game each one got) and { cmd: "stop" }.
 */
import "reflect-metadata";
import { matchMaker, Room } from "@colyseus/core";
import { RedisDriver } from "@colyseus/redis-driver";
import { RedisPresence } from "@colyseus/redis-presence";
import { parseCatalog } from "../src/config/catalog.js";
import { percentile } from "./http-load.js";
import { benchRedis, redisService } from "./redis-service.js";

export type PeerKind = "colyseus" | "matchmaker";

export const PEER_TYPE = "peer-lobby";

/** A room with `capacity` seats that stays listed while empty. */
class LobbyRoom extends Room {
  override onCreate(options: { capacity?: number }): void {
    this.maxClients = options.capacity ?? 4;
    this.autoDispose = false;
  }
}

interface Joiner {
  /** One join for a new player; resolves to the room or game id they got. */
  join(player: number): Promise<string>;
  /** Rooms created ahead (Colyseus; the matchmaker's lobbies are seeded by the quickJoin bench). */
  populate?(rooms: number): Promise<void>;
  close(): Promise<void>;
}

async function colyseus(url: string, capacity: number): Promise<Joiner> {
  await matchMaker.setup(new RedisPresence(url), new RedisDriver(url));
  matchMaker.defineRoomType("lobby", LobbyRoom, { capacity });
  return {
    join: async () => (await matchMaker.joinOrCreate("lobby", {})).room.roomId,
    async populate(rooms) {
      for (let i = 0; i < rooms; i += 100) await Promise.all(Array.from({ length: Math.min(100, rooms - i) }, () => matchMaker.createRoom("lobby", {})));
    },
    close: async () => {
      await matchMaker.gracefullyShutdown().catch(() => undefined);
    },
  };
}

async function matchmaker(url: string, capacity: number): Promise<Joiner> {
  const catalog = parseCatalog(`gameTypes:\n  - id: ${PEER_TYPE}\n    name: Peer lobby\n    minPlayers: 1\n    maxPlayers: ${capacity}\n`, "peer-bench");
  const redis = benchRedis(url);
  const { service, bus } = redisService(redis, catalog, { prefix: "peer" });
  return {
    join: async (player) => (await service.quickJoin({ id: `p${process.pid}-${player}`, name: "Peer", admin: false }, { gameType: PEER_TYPE })).id,
    close: async () => {
      await bus.close();
      redis.disconnect();
    },
  };
}

async function main(): Promise<void> {
  const [kind, url, capacityArg] = process.argv.slice(2) as [PeerKind, string, string];
  const capacity = Number(capacityArg);
  const joiner = kind === "colyseus" ? await colyseus(url, capacity) : await matchmaker(url, capacity);
  let player = 0;
  process.on("message", async (msg: { cmd: string; rooms?: number; calls?: number; joiners?: number; at?: number }) => {
    try {
      if (msg.cmd === "populate") {
        if (!joiner.populate) throw new Error(`populate: not for ${kind}`);
        await joiner.populate(msg.rooms!);
        process.send!({ ok: "populate" });
      } else if (msg.cmd === "latency") {
        const times: number[] = [];
        for (let i = 0; i < 50; i++) await joiner.join(player++); // warm-up
        for (let i = 0; i < msg.calls!; i++) {
          const started = performance.now();
          await joiner.join(player++);
          times.push(performance.now() - started);
        }
        times.sort((a, b) => a - b);
        process.send!({ ok: "latency", p50Ms: percentile(times, 0.5), p99Ms: percentile(times, 0.99) });
      } else if (msg.cmd === "race") {
        // Every process starts at the same instant (`at`, epoch ms), not when its message arrived.
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, msg.at! - Date.now())));
        const ids = await Promise.all(Array.from({ length: msg.joiners! }, () => joiner.join(player++)));
        process.send!({ ok: "race", ids });
      } else if (msg.cmd === "stop") {
        await joiner.close();
        process.send!({ ok: "stop" });
        process.exit(0);
      }
    } catch (err) {
      process.send!({ ok: msg.cmd, error: err instanceof Error ? err.stack ?? err.message : String(err) });
    }
  });
  process.send!({ ready: true });
}

void main();
