import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { type RedisServer, startRedisServer } from "./redis-server.js";

const run = promisify(execFile);

/** A throwaway Redis Cluster owned by one test file: `masters` masters with `replicas` replicas each. */
export interface RedisCluster {
  readonly nodes: readonly RedisServer[];
  /** "127.0.0.1:p1,127.0.0.1:p2,…": REDIS_CLUSTER_NODES for the app. */
  readonly seeds: string;
  /** The ports of the current masters, as the cluster reports them. */
  masterPorts(): Promise<number[]>;
  /** The node that is now master of `key`'s slot. */
  masterOf(key: string): Promise<RedisServer>;
  /** Resolves once every running node reports cluster_state:ok. */
  healthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function clusterInfo(port: number): Promise<string> {
  const r = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on("error", () => {}); // a stopped node: answered "" below
  try {
    await r.connect();
    return String(await r.cluster("INFO"));
  } catch {
    return "";
  } finally {
    r.disconnect();
  }
}

/** Waits until `expected` nodes are replicas whose link to their master is up (first sync done). */
async function replicasInSync(ports: number[], expected: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const infos = await Promise.all(
      ports.map(async (port) => {
        const r = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 0 });
        r.on("error", () => {});
        try {
          return String(await r.info("replication"));
        } catch {
          return "";
        } finally {
          r.disconnect();
        }
      }),
    );
    if (infos.filter((i) => i.includes("role:slave") && i.includes("master_link_status:up")).length >= expected) return;
    if (Date.now() > deadline) throw new Error(`Redis Cluster replicas not in sync within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts `masters × (1 + replicas)` cluster-enabled redis-servers on free ports (never 6379;
 * each node's cluster bus is its port + 10000) and joins them with
 * `redis-cli --cluster create`, as an operator would.
 */
export async function startRedisCluster(opts: { masters?: number; replicas?: number } = {}): Promise<RedisCluster> {
  const masters = opts.masters ?? 3;
  const replicas = opts.replicas ?? 0;
  // No delay before a replica's first sync: a replica that never synced cannot take over.
  const args = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000", "--repl-diskless-sync-delay", "0"];
  const nodes = await Promise.all(Array.from({ length: masters * (1 + replicas) }, () => startRedisServer(args)));
  const stop = async () => void (await Promise.all(nodes.map((n) => n.stop())));
  const running = async () => (await Promise.all(nodes.map(async (n) => ((await clusterInfo(n.port)) ? n : null)))).filter((n) => n !== null);
  const healthy = async (timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const up = await running();
      const infos = await Promise.all(up.map((n) => clusterInfo(n.port)));
      if (up.length > 0 && infos.every((i) => i.includes("cluster_state:ok"))) return;
      if (Date.now() > deadline) throw new Error(`Redis Cluster not healthy within ${timeoutMs} ms:\n${infos.join("\n---\n")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    await run("redis-cli", [
      "--cluster",
      "create",
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      "--cluster-replicas",
      String(replicas),
      "--cluster-yes",
    ]);
    await healthy();
    if (replicas > 0) await replicasInSync(nodes.map((n) => n.port), masters * replicas);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    nodes,
    seeds: nodes.map((n) => `127.0.0.1:${n.port}`).join(","),
    async masterPorts() {
      for (const n of await running()) {
        const r = new Redis({ port: n.port, host: "127.0.0.1", maxRetriesPerRequest: 0 });
        try {
          const lines = String(await r.cluster("NODES")).split("\n");
          return lines.filter((l) => /\bmaster\b/.test(l) && !/\bfail\b/.test(l)).map((l) => Number(l.split(" ")[1]!.split(":")[1]!.split("@")[0]));
        } finally {
          r.disconnect();
        }
      }
      return [];
    },
    async masterOf(key) {
      for (const n of await running()) {
        const r = new Redis({ port: n.port, host: "127.0.0.1", maxRetriesPerRequest: 0 });
        try {
          const slot = Number(await r.cluster("KEYSLOT", key));
          const shards = (await r.cluster("SLOTS")) as unknown as [number, number, [string, number, ...unknown[]]][];
          const owner = shards.find(([from, to]) => slot >= from && slot <= to);
          const node = nodes.find((x) => x.port === owner?.[2][1]);
          if (node) return node;
        } finally {
          r.disconnect();
        }
      }
      throw new Error(`no master owns the slot of ${key}`);
    },
    healthy,
    stop,
  };
}
