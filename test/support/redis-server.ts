import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A throwaway redis-server owned by one test file. */
export interface RedisServer {
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  /** pid of the running server (changes on restart). */
  readonly pid: number;
  /** Stops the server by pid (SIGTERM, SIGKILL after 5 s) and removes its dir. Safe to call twice. */
  stop(): Promise<void>;
  /** Stops it if running and starts it again on the same port, empty (nothing is persisted). */
  restart(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const PORT_ATTEMPTS = 8;

/** A per-test key prefix, so tests sharing a server never see each other's keys. */
export function randomPrefix(): string {
  return `t${randomBytes(6).toString("hex")}`;
}

const running = new Set<ChildProcess>();
// A worker that dies without stopping its servers must not leave them behind.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** A port that was free a moment ago; whoever binds next may take it, hence the retries in startRedisServer. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

/** Resolves true when the server answers PING with PONG. */
function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ port, host: "127.0.0.1" });
    let data = "";
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once("error", () => done(false));
    sock.once("connect", () => sock.write("PING\r\n"));
    sock.on("data", (chunk) => {
      data += chunk.toString();
      if (data.includes("\r\n")) done(data.startsWith("+PONG"));
    });
  });
}

class PortInUse extends Error {}

/** Spawns redis-server on `port` and waits for PONG. Rejects with PortInUse when the port was taken. */
async function launch(port: number, dir: string, extraArgs: readonly string[] = []): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--loglevel", "warning", ...extraArgs],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exit.then(() => (exited = true));
  let spawnError: Error | undefined;
  child.once("error", (err) => (spawnError = err));

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`Cannot start redis-server (is it installed?): ${spawnError.message}`);
    if (exited) {
      if (/address already in use/i.test(output)) throw new PortInUse(output);
      throw new Error(`redis-server exited at start-up:\n${output}`);
    }
    if (await pingOnce(port)) {
      running.add(child);
      return child;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill("SIGKILL");
  throw new Error(`redis-server on port ${port} did not answer PING within ${START_TIMEOUT_MS} ms:\n${output}`);
}

async function kill(child: ChildProcess): Promise<void> {
  running.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts a private redis-server on a free port (never the shared 6379) with no
 * persistence and its own temp dir. Retries with another port when a parallel worker
 * grabbed the chosen one; rejects if redis-server is missing or never answers.
 */
export async function startRedisServer(extraArgs: readonly string[] = []): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "mm-redis-"));
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 1; !child; attempt++) {
    port = await freePort();
    try {
      child = await launch(port, dir, extraArgs);
    } catch (err) {
      if (!(err instanceof PortInUse) || attempt >= PORT_ATTEMPTS) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }
  let current: ChildProcess | null = child;

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return current?.pid ?? -1;
    },
    async stop() {
      if (current) await kill(current);
      current = null;
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      if (current) await kill(current);
      current = null;
      // Another process may have bound the port while it was free; retry briefly, then give up.
      mkdirSync(dir, { recursive: true });
      for (let attempt = 1; ; attempt++) {
        try {
          current = await launch(port, dir, extraArgs);
          return;
        } catch (err) {
          if (!(err instanceof PortInUse) || attempt >= PORT_ATTEMPTS) throw err;
          await new Promise((r) => setTimeout(r, 100 * attempt));
        }
      }
    },
  };
}

