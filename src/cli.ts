#!/usr/bin/env node
import "reflect-metadata";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { MAX_TOKEN_RATINGS, signToken } from "./auth/jwt.js";
import { ConfigError } from "./config/errors.js";
import { LIMITS } from "./domain/limits.js";
import { isUsableRating } from "./domain/tickets/ticket.js";
import { loadEnv } from "./config/env.js";
import { buildGameSchema, printSchemaSdl } from "./graphql/schema.js";
import { createLogger } from "./logger.js";
import { createWorkerServer } from "./http/worker-server.js";
import { createApp, StartupError } from "./main.js";
import { RATE_USAGE, rateCommand, readMatch } from "./cli-rate.js";
import { SIMULATE_USAGE, simulateCommand } from "./cli-simulate.js";

const USAGE = `Usage: matchmaker <command>

Commands:
  api        GraphQL API (HTTP + graphql-ws) on PORT
  worker     event-stream worker and expiry sweeper (/healthz and /metrics on METRICS_PORT)
  all        api and worker in one process (what npm start runs)
  token      print a dev player token: token --sub alice --name Alice [--admin] [--expires 12h]
             [--rating mmr=1540 …] (its ratings claim, for queues whose ratings come from tokens)
  schema     print the GraphQL schema (SDL)
  simulate   replay a ticket matchmaking queue of the catalog and print waits and match quality:
             ${SIMULATE_USAGE}
  rate       OpenSkill rating updates for one match: ${RATE_USAGE}
  --version  print the version
`;

/** The package's version, from its package.json (one level above dist/cli.js and src/cli.ts alike). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
}

async function serve(roles: { api: boolean; worker: boolean }): Promise<void> {
  const env = loadEnv();
  // Readable on a terminal while developing; JSON for log shippers everywhere else.
  const logger = createLogger(env.logLevel, "matchmaker", { pretty: process.stdout.isTTY === true && env.nodeEnv !== "production" });
  if (env.jwtSecretIsDefault && roles.api) {
    logger.warn("JWT_SECRET is not set: using the well-known development secret. Never run like this in production.");
  }
  const app = await createApp(env, logger, roles);
  const closers: (() => Promise<void>)[] = [];
  if (app.api) {
    const address = await app.api.listen(env.port, env.host);
    logger.info(
      { port: address.port, mode: app.backends.mode, graphql: `http://localhost:${address.port}/graphql` },
      "matchmaker API listening",
    );
  }
  if (app.worker) await app.worker.start();
  // A worker-only process gets its own probe and metrics port; so does every process in
  // production, where the API port keeps /metrics to itself (METRICS_TOKEN opens it there).
  if (!app.api || env.nodeEnv === "production") {
    const worker = app.worker;
    const probes = createWorkerServer({
      metrics: app.metrics,
      healthy: () => (worker ? worker.consumer.running : true),
      active: worker ? () => worker.consumer.lease !== null : undefined,
    });
    const address = await probes.listen(env.metricsPort, env.host);
    closers.push(() => probes.close());
    logger.info({ port: address.port, mode: app.backends.mode }, "/healthz and /metrics listening");
  }
  const stop = (signal: string) => {
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), env.shutdownTimeoutMs);
    force.unref();
    Promise.all(closers.map((c) => c()))
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (err) => {
          logger.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

async function token(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      sub: { type: "string" },
      name: { type: "string" },
      admin: { type: "boolean", default: false },
      expires: { type: "string", default: "12h" },
      rating: { type: "string", multiple: true, default: [] },
    },
  });
  if (!values.sub) throw new Error("token needs --sub <player id> (and usually --name <display name>)");
  // A claim over the bound is not read at all: refuse to sign one that would silently carry no ratings.
  if (values.rating.length > MAX_TOKEN_RATINGS) throw new Error(`token takes at most ${MAX_TOKEN_RATINGS} --rating values`);
  const ratings = Object.fromEntries(
    values.rating.map((r) => {
      const m = /^([A-Za-z0-9_-]{1,64})=(-?\d+(?:\.\d+)?)$/.exec(r);
      if (!m || !isUsableRating(Number(m[2]))) throw new Error(`--rating takes <attribute>=<number within ±${LIMITS.rating}> (e.g. mmr=1540), got "${r}"`);
      return [m[1]!, Number(m[2])];
    }),
  );
  const env = loadEnv();
  const jwt = await signToken(
    { sub: values.sub, name: values.name ?? values.sub, admin: values.admin, expiresIn: values.expires, ...(values.rating.length ? { ratings } : {}) },
    { secret: env.jwtSecret, issuer: env.jwtIssuer },
  );
  process.stdout.write(jwt + "\n");
  // On stderr, so `TOKEN=$(matchmaker token …)` still captures the token alone.
  process.stderr.write(
    env.jwtSecretIsDefault
      ? "Signed with the development secret (JWT_SECRET is not set): only a server without JWT_SECRET accepts it.\n"
      : `Signed with JWT_SECRET${env.jwtIssuer ? ` for issuer ${env.jwtIssuer} (JWT_ISSUER)` : ""}: a server must have the same JWT_SECRET to accept it.\n`,
  );
}

async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case "api":
      return serve({ api: true, worker: false });
    case "worker":
      return serve({ api: false, worker: true });
    case "all":
      return serve({ api: true, worker: true });
    case "token":
      return token(rest);
    case "schema":
      process.stdout.write(printSchemaSdl(await buildGameSchema()));
      return;
    case "simulate":
      process.stdout.write(simulateCommand(rest, loadEnv().gameTypesPath));
      return;
    case "rate":
      process.stdout.write(rateCommand(readMatch(rest[0])));
      return;
    case "--version":
    case "-v":
    case "version":
      process.stdout.write(`matchmaker ${packageVersion()}\n`);
      return;
    default:
      process.stderr.write(USAGE);
      process.exit(command === undefined || command === "help" || command === "--help" ? 0 : 2);
  }
}

run(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`Configuration is invalid:\n${err.format()}\n`);
  } else if (err instanceof StartupError) {
    process.stderr.write(`Cannot start: ${err.message}\n`);
  } else {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  }
  process.exit(1);
});
