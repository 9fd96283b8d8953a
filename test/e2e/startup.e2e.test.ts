import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TEST_JWT_SECRET } from "../support/app.js";
import { freePort } from "../support/api-process.js";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

/** Runs the built CLI as operators do and collects what it printed and how it ended. */
function run(command: string, env: Record<string, string>): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    let output = "";
    const child = spawn(process.execPath, [CLI, command], {
      env: { PATH: process.env.PATH, JWT_SECRET: TEST_JWT_SECRET, NODE_ENV: "production", HOST: "127.0.0.1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.once("exit", (code) => {
      clearTimeout(killer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

describe("start-up with Redis unreachable", () => {
  it.each(["api", "worker", "all"])("`matchmaker %s` prints one clear line and exits 1 after the bounded wait, no stack trace", async (command) => {
    const nobody = await freePort(); // nothing listens there
    const { code, output, ms } = await run(command, {
      REDIS_URL: `redis://127.0.0.1:${nobody}`,
      REDIS_STARTUP_TIMEOUT_MS: "1500",
      PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
    });
    expect(code).toBe(1);
    expect(ms).toBeLessThan(8_000);
    expect(output).toMatch(new RegExp(`^Cannot start: Redis at redis://127\\.0\\.0\\.1:${nobody} \\(database 0\\) is not reachable`, "m"));
    expect(output).not.toMatch(/\n\s+at /); // no stack frames
    expect(output).not.toMatch(/listening/i);
    expect(output.trim().split("\n").filter((l) => l.trim() !== "")).toHaveLength(1);
  }, 20_000);
});
