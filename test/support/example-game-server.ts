import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "./api-process.js";
import { waitFor } from "./app.js";

const EXAMPLE_SERVER = fileURLToPath(new URL("../../dist/examples/tictactoe/server.js", import.meta.url));
/** The sample catalog's secret for the example server. */
export const EXAMPLE_SECRET = "tictactoe-example-secret";

export interface ExampleGameServer {
  /** host:port, as the sample catalog's socketUrl writes it (clients add ws://). */
  address: string;
  child: ChildProcess;
  output(): string;
  stop(): void;
}

/** The shipped tic-tac-toe game server (built), writing its stream to `streamRedisUrl`; ready once it says it listens. */
export async function startExampleGameServer(streamRedisUrl: string, env: Record<string, string> = {}): Promise<ExampleGameServer> {
  const port = await freePort();
  let output = "";
  const child = spawn(process.execPath, [EXAMPLE_SERVER], {
    env: { PATH: process.env.PATH, PORT: String(port), HOST: "127.0.0.1", STREAM_REDIS_URL: streamRedisUrl, SERVER_SECRET: EXAMPLE_SECRET, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  await waitFor(() => output.includes("tictactoe game server on port"), "the example game server", 10_000);
  return { address: `127.0.0.1:${port}`, child, output: () => output, stop: () => child.kill("SIGTERM") };
}
