import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { startRedisServer } from "../test/support/redis-server.js";
import type { PeerKind } from "./peer-process.js";
import { quickJoinBench } from "./quickjoin.bench.js";

const PEER = fileURLToPath(new URL("./peer-process.js", import.meta.url));

export interface PeerLatency {
  rooms: number;
  colyseus: { p50Ms: number; p99Ms: number };
  /** quickJoin through the GameService on Redis (region + label filter), same run. */
  matchmaker: { p50Ms: number; p99Ms: number };
}

export interface PeerRace {
  processes: number;
  joiners: number;
  capacity: number;
  /** ⌈joiners / capacity⌉. */
  ideal: number;
  colyseus: { rooms: number; mostSeated: number };
  matchmaker: { rooms: number; mostSeated: number };
}

export interface PeerResult {
  latency: PeerLatency[];
  race: PeerRace;
}

type Reply = { ok?: string; error?: string; ready?: boolean; p50Ms?: number; p99Ms?: number; ids?: string[] };

function start(kind: PeerKind, url: string, capacity: number): Promise<ChildProcess> {
  const child = fork(PEER, [kind, url, String(capacity)], { env: { ...process.env, NODE_ENV: "production" }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("message", (m: Reply) => (m.ready ? resolve(child) : reject(new Error(`peer ${kind}: ${JSON.stringify(m)}`))));
    child.once("exit", (code) => reject(new Error(`peer ${kind} exited with ${code} before it was ready`)));
  });
}

function ask(child: ChildProcess, msg: { cmd: string; rooms?: number; calls?: number; joiners?: number; at?: number }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const on = (m: Reply) => {
      if (m.ok !== msg.cmd) return;
      child.off("message", on);
      if (m.error) reject(new Error(`peer ${msg.cmd}: ${m.error}`));
      else resolve(m);
    };
    child.on("message", on);
    child.send(msg);
  });
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  await Promise.race([ask(child, { cmd: "stop" }), exited]).catch(() => undefined);
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Joins per room or game, and the most any one got. */
function occupancy(ids: string[]): { rooms: number; mostSeated: number } {
  const per = new Map<string, number>();
  for (const id of ids) per.set(id, (per.get(id) ?? 0) + 1);
  return { rooms: per.size, mostSeated: Math.max(...per.values()) };
}

/**
 * The issue's peer row: Colyseus 0.16's `joinOrCreate` with its Redis driver and presence —
 * latency with 100 / 1k / 10k rooms listed (its driver reads and parses every room of the
 * listing on each call), and `processes` processes racing `joiners` joins into rooms of
 * `capacity` seats (how many rooms that makes, against ⌈joiners / capacity⌉) — and the same
 * for this project's quickJoin in the same run.
 */
export async function peerBench(opts: { sizes: number[]; calls: number; joiners: number; capacity: number; processes: number }): Promise<PeerResult> {
  const server = await startRedisServer();
  const redis = new Redis(server.url);
  try {
    const ours = await quickJoinBench({ sizes: opts.sizes, calls: opts.calls, concurrency: 1 });
    const latency: PeerLatency[] = [];
    for (const rooms of opts.sizes) {
      await redis.flushall();
      const child = await start("colyseus", server.url, 8);
      try {
        await ask(child, { cmd: "populate", rooms });
        const r = await ask(child, { cmd: "latency", calls: opts.calls });
        const mine = ours.rows.find((row) => row.games === rooms && row.scenario.startsWith("quickJoin ("))!;
        latency.push({ rooms, colyseus: { p50Ms: r.p50Ms!, p99Ms: r.p99Ms! }, matchmaker: { p50Ms: mine.p50Ms, p99Ms: mine.p99Ms } });
      } finally {
        await stop(child);
      }
    }
    const race = async (kind: PeerKind) => {
      await redis.flushall();
      const children = await Promise.all(Array.from({ length: opts.processes }, () => start(kind, server.url, opts.capacity)));
      try {
        const per = Math.ceil(opts.joiners / opts.processes);
        const at = Date.now() + 500;
        const replies = await Promise.all(children.map((c) => ask(c, { cmd: "race", joiners: per, at })));
        return occupancy(replies.flatMap((r) => r.ids!));
      } finally {
        await Promise.all(children.map(stop));
      }
    };
    const raced: PeerRace = {
      processes: opts.processes,
      joiners: opts.joiners,
      capacity: opts.capacity,
      ideal: Math.ceil(opts.joiners / opts.capacity),
      colyseus: await race("colyseus"),
      matchmaker: await race("matchmaker"),
    };
    return { latency, race: raced };
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

export function formatPeer(r: PeerResult): string {
  const ms = (x: number) => x.toFixed(x < 10 ? 2 : 0);
  const lines = ["peer: Colyseus 0.16 joinOrCreate (@colyseus/redis-driver + redis-presence) vs this project's quickJoin (region + label filter), both in process on one Redis, sequential:"];
  for (const l of r.latency) {
    const times = l.colyseus.p50Ms / l.matchmaker.p50Ms;
    lines.push(
      `  ${l.rooms.toLocaleString("en")} rooms: Colyseus p50 ${ms(l.colyseus.p50Ms)} ms (p99 ${ms(l.colyseus.p99Ms)}); quickJoin p50 ${ms(l.matchmaker.p50Ms)} ms (p99 ${ms(l.matchmaker.p99Ms)}): ` +
        `Colyseus's p50 ${times.toFixed(1)}× quickJoin's${l === r.latency[r.latency.length - 1] && l.rooms >= 10_000 ? ` (goal ≥ 50× at 10k)${times >= 50 ? "" : " — below goal"}` : ""}`,
    );
  }
  const x = r.race;
  lines.push(
    `  ${x.joiners} joiners from ${x.processes} processes at once, rooms of ${x.capacity}: Colyseus made ${x.colyseus.rooms} rooms (most seated in one: ${x.colyseus.mostSeated}); ` +
      `quickJoin made ${x.matchmaker.rooms} games (most seated: ${x.matchmaker.mostSeated}); exactly ⌈N/C⌉ = ${x.ideal}${x.matchmaker.rooms === x.ideal && x.matchmaker.mostSeated <= x.capacity ? "" : " — quickJoin missed it"}`,
  );
  return lines.join("\n");
}
