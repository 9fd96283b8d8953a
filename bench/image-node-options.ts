import { readFileSync } from "node:fs";

const split = (flags: string): string[] => flags.split(/\s+/).filter(Boolean);

/**
 * The Node flags a bench starts the project's server with: the Docker image's (its
 * `ENV NODE_OPTIONS`, none when it sets none), so that it is measured as it ships.
 * BENCH_NODE_FLAGS (space-separated; empty for none) measures other flags instead, and
 * BENCH_COMPARE_NODE_FLAGS the compare build's (BENCH_COMPARE) servers with others again.
 */
export function imageNodeFlags(build: "main" | "compare" = "main", dockerfile = "Dockerfile"): string[] {
  const compare = build === "compare" ? process.env.BENCH_COMPARE_NODE_FLAGS : undefined;
  const override = compare ?? process.env.BENCH_NODE_FLAGS;
  return split(override ?? /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(readFileSync(dockerfile, "utf8"))?.[1] ?? "");
}
