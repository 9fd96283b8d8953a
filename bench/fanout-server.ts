/**
 * One server of the subscription fan-out bench, in its own process (forked by fanout.bench.ts
 * with --expose-gc, so neither the load generator nor the clients share its event loop):
 * `node fanout-server.js <kind>` with
 *
 *   project  the matchmaker API (createApp, shipped production settings), embedded or on
 *            BENCH_REDIS_URL, seeded with BENCH_FANOUT_GAMES open public party-quiz games;
 *   bare-ws  a plain `ws` WebSocketServer on node:http: a POST /broadcast {"seq":N,"size":S}
 *            builds one frame of S bytes ({"seq":N,"t":<ms>,"pad":"xx…"}) and sends it to every
 *            connected client with client.send(frame) — the ceiling the project is compared to.
 *
 * Over IPC it sends { ready: true, port, gameIds, creators } once listening, and answers
 * { id, cmd } with { id, ... } (or { id, error }): "subscribers" (the project's local watchers
 * of the type's topic, or bare ws's open clients), "rss" (after global.gc()), "cpu" (µs, all
 * threads) and "stop". Process warnings are sent as { warning } (the bench prints each once).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { WebSocketServer } from "ws";
import { projectBenchEnv } from "./project-env.js";

export type FanOutServerKind = "project" | "bare-ws";

/** The JWT secret of the project server (the driver signs its creators' tokens with it). */
export const FANOUT_SECRET = "bench-secret-for-the-fan-out-0123456789abcd";
/** The game type every subscriber watches and every change is made to (the catalog's non-hosted sample). */
export const FANOUT_TYPE = "party-quiz";

interface Started {
  port: number;
  gameIds: string[];
  creators: string[];
  subscribers(): number;
  close(): Promise<unknown>;
}

async function startProject(games: number): Promise<Started> {
  // Loaded here only: the bare-ws process carries none of the project's modules.
  await import("reflect-metadata");
  const [{ loadEnv }, { createLogger }, { createApp }, { lobbyGame }] = await Promise.all([
    import("../src/config/env.js"),
    import("../src/logger.js"),
    import("../src/main.js"),
    import("./quickjoin.bench.js"),
  ]);
  const redisUrl = process.env.BENCH_REDIS_URL;
  const prefix = `fanout${process.pid}`;
  // Every subscriber connection sends its own X-Forwarded-For (10.a.b.c) and the driver's
  // mutations come from 1,000 addresses behind the trusted hop: the shipped per-address budgets
  // (connections, subscriptions, operations, mutations) apply and are not reached. The one budget
  // raised: updateGame per player — each game's creator changes it several times a second (100
  // changes/s over BENCH_FANOUT_GAMES games), far above the shipped 60/60.
  const env = loadEnv(projectBenchEnv({ secret: FANOUT_SECRET, prefix, redisUrl, overrides: { RATE_LIMIT_UPDATE: "9999999/60" } }));
  const app = await createApp(env, createLogger("silent"), { api: true, worker: false });
  const t = Date.now();
  const records = Array.from({ length: games }, (_, i) => lobbyGame(i, t));
  await Promise.all(records.map((g) => app.backends.store.create(g)));
  const { port } = await app.api!.listen(0, "127.0.0.1");
  const topic = app.backends.bus.topics.gameType(FANOUT_TYPE);
  return {
    port,
    gameIds: records.map((g) => g.id),
    creators: records.map((g) => g.creatorId),
    subscribers: () => app.backends.bus.localSubscribers(topic),
    close: () => app.close(),
  };
}

async function startBareWs(): Promise<Started> {
  const http = createServer((req, res) => {
    if (req.method !== "POST" || req.url !== "/broadcast") {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let seq: number, size: number;
      try {
        ({ seq, size } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { seq: number; size: number });
      } catch {
        res.writeHead(400, { "content-type": "application/json" }).end('{"error":"bad body"}');
        return;
      }
      // One frame per change, sent to every client: the same bytes for all, as a broadcast does.
      const head = `{"seq":${seq},"t":${Date.now()},"pad":"`;
      const frame = head + "x".repeat(Math.max(0, size - head.length - 2)) + '"}';
      for (const client of wss.clients) if (client.readyState === client.OPEN) client.send(frame);
      res.writeHead(200, { "content-type": "application/json" }).end(`{"sent":${wss.clients.size}}`);
    });
  });
  const wss = new WebSocketServer({ server: http });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    port: (http.address() as AddressInfo).port,
    gameIds: [],
    creators: [],
    subscribers: () => wss.clients.size,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise((r) => http.close(r));
    },
  };
}

async function rssAfterGc(): Promise<{ rss: number; heapUsed: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("fanout-server: fork it with --expose-gc to measure RSS");
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 100));
  }
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

async function main(): Promise<void> {
  const kind = process.argv[2] as FanOutServerKind;
  // Process warnings (e.g. MaxListenersExceededWarning) go to the bench, which prints each once.
  process.removeAllListeners("warning");
  process.on("warning", (w) => process.connected && process.send!({ warning: `${w.name}: ${w.message}` }));
  if (kind !== "project" && kind !== "bare-ws") throw new Error(`fanout-server: unknown kind "${kind}"`);
  const server = kind === "project" ? await startProject(Number(process.env.BENCH_FANOUT_GAMES ?? 50)) : await startBareWs();
  // The bench is gone: nothing to serve.
  process.on("disconnect", () => process.exit(0));
  process.on("message", async (msg: { id: number; cmd: string }) => {
    const reply = (body: object) => process.connected && process.send!({ id: msg.id, ...body });
    try {
      if (msg.cmd === "subscribers") reply({ n: server.subscribers() });
      else if (msg.cmd === "rss") reply(await rssAfterGc());
      else if (msg.cmd === "cpu") {
        const { user, system } = process.cpuUsage();
        reply({ cpuUs: user + system });
      } else if (msg.cmd === "stop") {
        // A server behind on its sends need not drain them: the bench is done with it.
        const timer = setTimeout(() => process.exit(0), 5_000);
        timer.unref();
        await server.close().catch(() => {});
        reply({});
        process.exit(0);
      } else reply({ error: `unknown command ${msg.cmd}` });
    } catch (err) {
      reply({ error: err instanceof Error ? err.message : String(err) });
    }
  });
  process.send!({ ready: true, port: server.port, gameIds: server.gameIds, creators: server.creators });
}

// Imported by fanout.bench.ts for its constants; runs only as the forked server.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
