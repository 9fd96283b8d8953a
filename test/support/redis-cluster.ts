import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { keySlot } from "../../src/stream/slot.js";
import { type RedisServer, startRedisServer } from "./redis-server.js";

const run = promisify(execFile);

/** A throwaway Redis Cluster owned by one test file: `masters` masters with `replicas` replicas each. */
export interface RedisCluster {
  readonly nodes: readonly RedisServer[];
  /** "127.0.0.1:p1,127.0.0.1:p2,…": REDIS_CLUSTER_NODES for the app. */
  readonly seeds: string;
  /** The node that is now master of `key`'s slot. */
  masterOf(key: string): Promise<RedisServer>;
  /** Resolves once every running node reports cluster_state:ok. */
  healthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** One question to one node on a connection of its own; `fallback` when the node does not answer (stopped). */
async function askNode<T>(port: number, ask: (r: Redis) => Promise<T>, fallback: T): Promise<T> {
  const r = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on("error", () => {}); // a stopped node: answered with the fallback
  try {
    await r.connect();
    return await ask(r);
  } catch {
    return fallback;
  } finally {
    r.disconnect();
  }
}

const clusterInfo = (port: number) => askNode(port, async (r) => String(await r.cluster("INFO")), "");

/** Waits until `expected` nodes are replicas whose link to their master is up (first sync done). */
async function replicasInSync(ports: number[], expected: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const infos = await Promise.all(ports.map((port) => askNode(port, async (r) => String(await r.info("replication")), "")));
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
export async function startRedisCluster(opts: { masters?: number; replicas?: number; extraArgs?: readonly string[] } = {}): Promise<RedisCluster> {
  const masters = opts.masters ?? 3;
  const replicas = opts.replicas ?? 0;
  // No delay before a replica's first sync: a replica that never synced cannot take over.
  const args = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000", "--repl-diskless-sync-delay", "0", ...(opts.extraArgs ?? [])];
  const nodes = await Promise.all(Array.from({ length: masters * (1 + replicas) }, () => startRedisServer(args)));
  const stop = async () => void (await Promise.all(nodes.map((n) => n.stop())));
  const healthy = async (timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Stopped nodes answer "": only the running ones must say ok.
      const infos = (await Promise.all(nodes.map((n) => clusterInfo(n.port)))).filter((i) => i !== "");
      if (infos.length > 0 && infos.every((i) => i.includes("cluster_state:ok"))) return;
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
    async masterOf(key) {
      const slot = keySlot(key);
      for (const n of nodes) {
        type Shard = [number, number, [string, number, ...unknown[]]];
        const shards = await askNode(n.port, async (r) => (await r.cluster("SLOTS")) as unknown as Shard[], null);
        const owner = shards?.find(([from, to]) => slot >= from && slot <= to);
        const node = nodes.find((x) => x.port === owner?.[2][1]);
        if (node) return node;
      }
      throw new Error(`no master owns the slot of ${key}`);
    },
    healthy,
    stop,
  };
}
