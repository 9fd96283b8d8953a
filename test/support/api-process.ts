import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { ROOMY_LIMITS, TEST_JWT_SECRET, waitFor } from "./app.js";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface ApiProcess {
  prefix: string;
  url: string;
  wsUrl: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far (its logs). */
  output(): string;
  /** Where its /metrics are (METRICS_PORT in production and for a worker-only process). */
  metricsUrl: string;
  /** Where its /healthz is on METRICS_PORT (a worker-only process; every process in production). */
  probesUrl: string;
  stop(): Promise<void>;
}

/**
 * A separate matchmaker process (the built CLI) on Redis, as operators run it; ready
 * once its /readyz (api) or /healthz (worker) answers.
 */
export async function startApiProcess(
  redisUrl: string,
  prefix: string,
  command: "api" | "worker" | "all" = "api",
  env: Record<string, string> = {},
  opts: { shippedLimits?: boolean } = {},
): Promise<ApiProcess> {
  const port = await freePort();
  const metricsPort = command === "worker" ? port : await freePort();
  const production = env.NODE_ENV === "production";
  let output = "";
  const child = spawn(process.execPath, [CLI, command], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      HOST: "127.0.0.1",
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
      EVENT_STREAM_KEY: `${prefix}:game_event_stream`,
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: "warn",
      NODE_ENV: "test",
      ...(opts.shippedLimits ? {} : ROOMY_LIMITS),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`api process exited (${child.exitCode}): ${output}`);
        return fetch(`${base}/${command === "worker" ? "healthz" : "readyz"}`).then((r) => r.ok, () => false);
      },
      "the api process to become ready",
      15_000,
    );
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  return {
    prefix,
    url: `${base}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    child,
    output: () => output,
    metricsUrl: `http://127.0.0.1:${production || command === "worker" ? metricsPort : port}/metrics`,
    probesUrl: `http://127.0.0.1:${metricsPort}/healthz`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
