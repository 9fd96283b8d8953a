import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import express from "express";
import type { Logger } from "pino";

/**
 * The bundled web pages (`npm run build:web`, web/ → dist/web/). src/http/web-ui.ts and
 * dist/http/web-ui.js are both two levels below the package root, so this resolves to the
 * same dist/web/ from the sources (tests) and from the build.
 */
export const WEB_DIR = fileURLToPath(new URL("../../dist/web/", import.meta.url));

export interface WebUiOptions {
  /** WEB_UI: the lobby page at `/`. */
  lobby: boolean;
  /** GRAPHIQL: GraphiQL at `/graphiql`. */
  graphiql: boolean;
  /** Where the built pages are; default {@link WEB_DIR}. */
  dir?: string;
  graphqlPath: string;
  logger: Logger;
}

/** What a page reads at start-up (`/web-config.json`): which pages are on, and where GraphQL is. */
export interface WebConfig {
  graphqlPath: string;
  lobby: boolean;
  graphiql: boolean;
}

/**
 * The pages only talk to this origin; GraphiQL's editors set inline styles. Scripts come from
 * 'self' only, so a token kept in localStorage is not readable by injected markup.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const pageHeaders = (res: express.Response) =>
  res.set({
    // Always revalidated: a new build's html names new hashed assets.
    "cache-control": "no-cache",
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
  });

/**
 * `/` (lobby page), `/graphiql`, their hashed `/assets/*` (cached for a year) and
 * `/web-config.json`. A page that is switched off answers 404 saying how to switch it on; a
 * bundle that was never built answers 503 saying how to build it — the API itself is unaffected.
 */
export function webUiRouter(opts: WebUiOptions): express.Router {
  const dir = opts.dir ?? WEB_DIR;
  const router = express.Router();
  let warnedMissing = false;

  const sendPage = (file: string) => (_req: express.Request, res: express.Response) => {
    pageHeaders(res);
    res.sendFile(file, { root: dir, dotfiles: "deny", cacheControl: false, lastModified: true }, (err?: NodeJS.ErrnoException) => {
      if (!err || res.headersSent) return;
      if (err.code === "ENOENT" || (err as { status?: number }).status === 404) {
        if (!warnedMissing) {
          warnedMissing = true;
          opts.logger.warn({ dir }, "The web pages are not built (dist/web is missing): run `npm run build`");
        }
        return void res
          .status(503)
          .type("text/plain")
          .send(`The web pages of this matchmaker are not built (${join(dir, file)} is missing). Run \`npm run build\` (or \`npm run build:web\`), then reload.\n`);
      }
      opts.logger.error({ err: err.message, file }, "Could not send a web page");
      res.status(500).type("text/plain").send("This page could not be read; see the server's log.\n");
    });
  };

  const config: WebConfig = { graphqlPath: opts.graphqlPath, lobby: opts.lobby, graphiql: opts.graphiql };
  router.get("/web-config.json", (_req, res) => {
    res.set("cache-control", "no-cache").json(config);
  });

  router.get("/", opts.lobby ? sendPage("index.html") : (_req, res) => void res.status(404).type("text/plain").send("The lobby page is off here (WEB_UI=off). GraphQL is at " + opts.graphqlPath + ".\n"));
  router.get(
    "/graphiql",
    opts.graphiql
      ? sendPage("graphiql.html")
      : (_req, res) =>
          void res
            .status(404)
            .type("text/plain")
            .send("GraphiQL is off here. It is on by default outside production; set GRAPHIQL=on to enable it (NODE_ENV=production turns it off by default).\n"),
  );

  if (opts.lobby || opts.graphiql) {
    // Every file under assets/ carries a content hash in its name: it never changes.
    router.use(
      "/assets",
      express.static(join(dir, "assets"), { immutable: true, maxAge: "365d", index: false, redirect: false, dotfiles: "deny", fallthrough: true }),
      (_req: express.Request, res: express.Response) => {
        res.status(404).type("text/plain").send(existsSync(dir) ? "No such asset.\n" : "The web pages are not built: run `npm run build`.\n");
      },
    );
  }
  return router;
}

/**
 * A browser opening the GraphQL endpoint (a GET that prefers HTML and carries no query) is a
 * person: send them to GraphiQL when it is on, or tell them how to call the endpoint. Every
 * other GET (`?query=…`, urql's default) goes on to GraphQL.
 */
export function browserOnGraphqlPath(graphiql: boolean, graphqlPath: string) {
  return (req: express.Request, res: express.Response, next: express.NextFunction) => {
    const q = req.query as Record<string, unknown>;
    if (q.query !== undefined || q.extensions !== undefined) return next();
    if (req.accepts(["application/json", "application/graphql-response+json", "text/html"]) !== "text/html") return next();
    if (graphiql) return void res.redirect(302, "/graphiql");
    res
      .status(400)
      .type("text/plain")
      .send(
        `This is the GraphQL endpoint of the matchmaker: send operations as POST ${graphqlPath} (application/json), or queries as GET ${graphqlPath}?query=…\n` +
          "GraphiQL is off here; GRAPHIQL=on enables it at /graphiql.\n",
      );
  };
}
