import { readFileSync } from "node:fs";

/**
 * The Node flags the Docker image runs every process with (its `ENV NODE_OPTIONS`, none when it
 * sets none), so that a bench measures the project's server as it ships. BENCH_NODE_FLAGS
 * (space-separated; empty for none) measures other flags instead.
 */
export function imageNodeFlags(dockerfile = "Dockerfile"): string[] {
  const override = process.env.BENCH_NODE_FLAGS;
  const flags = override ?? /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(readFileSync(dockerfile, "utf8"))?.[1] ?? "";
  return flags.split(/\s+/).filter(Boolean);
}
