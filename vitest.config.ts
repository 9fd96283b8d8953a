import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Two graphql copies (ESM + CJS) inside vitest break instanceof checks across
    // type-graphql and Apollo; pin every import to the one Node resolves.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    setupFiles: ["reflect-metadata"],
    include: ["test/**/*.test.ts", "client/test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
