import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The lobby page (index.html, Preact) and GraphiQL (graphiql.html, React), built into the
 * server's dist/web/ — everything they load is in the bundle (no CDN), with hashed names under
 * assets/ that the server caches for a year.
 */
export default defineConfig({
  root: here("."),
  base: "/",
  publicDir: false,
  // The lobby page's JSX is Preact's; the GraphiQL entry has no JSX (React.createElement).
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  // `npx vite --config web/vite.config.ts` while `npm start` runs: the pages with hot reload, the API behind a proxy.
  server: {
    proxy: {
      "/graphql": { target: "http://127.0.0.1:4000", ws: true },
      "/web-config.json": { target: "http://127.0.0.1:4000" },
    },
  },
  build: {
    outDir: here("../dist/web"),
    emptyOutDir: true,
    target: "es2022",
    // The sources are open; maps would triple what the package and image carry.
    sourcemap: false,
    // GraphiQL (React, CodeMirror, the GraphQL language service) is one large chunk by nature.
    chunkSizeWarningLimit: 2_500,
    rollupOptions: {
      input: {
        index: here("index.html"),
        graphiql: here("graphiql.html"),
      },
      onwarn(warning, warn) {
        // GraphiQL's dependencies mark React server-component boundaries ("use client"); meaningless in a bundle.
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
        warn(warning);
      },
    },
  },
});
