/**
 * One server of the hot-path bench, in its own process (forked by hot-paths.bench.ts, so the
 * load generator does not share its event loop): `node hot-paths-server.js <kind>` with
 *
 *   project     the matchmaker API (createApp, shipped production settings), embedded or on
 *               BENCH_REDIS_URL, seeded with BENCH_GAMES open games;
 *   bare-games  a bare Apollo Server 5 + express (@as-integrations/express5), SDL typeDefs and a
 *               resolver map (no type-graphql), serving the same games(first: 20) shape from an array;
 *   trivial     a bare Apollo mutation that returns a constant;
 *   trivial-jwt the same, with a jose HS256 jwtVerify of the bearer token per request.
 *
 * Over IPC it sends { port, gameIds } once listening, and answers { cmd: "profile-start" },
 * { cmd: "profile-stop", file } (a V8 CPU profile of the main thread via node:inspector),
 * { cmd: "cpu" } (its CPU time and peak RSS so far) and { cmd: "stop" }.
 */
import "reflect-metadata";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import { GraphQLError } from "graphql";
import { GraphQLJSON } from "graphql-scalars";
import { jwtVerify } from "jose";
import { loadEnv } from "../src/config/env.js";
import { type GameRecord, GameState, Visibility } from "../src/domain/game.js";
import { createLogger } from "../src/logger.js";
import { createApp } from "../src/main.js";
import { startCpuProfile } from "./cpu-profile.js";
import { projectBenchEnv, ROOMY_PLAYERS } from "./project-env.js";
import { lobbyGame } from "./quickjoin.bench.js";

export type ServerKind = "project" | "bare-games" | "trivial" | "trivial-jwt";

export const BENCH_SECRET = "bench-secret-for-the-hot-paths-0123456789";

const BARE_GAMES_SDL = /* GraphQL */ `
  scalar JSON
  enum GameState { CREATED OPEN FULL IN_PROGRESS ENDED }
  type Player { id: ID! name: String! }
  type Game { id: ID! state: GameState! freeSeats: Int! region: String labels: JSON! players: [Player!]! }
  type GameEdge { cursor: String! node: Game! }
  type GameConnection { totalCount: Int! edges: [GameEdge!]! }
  input GameFilter { gameType: String }
  type Query { games(first: Int = 20, filter: GameFilter): GameConnection! }
`;

const TRIVIAL_SDL = /* GraphQL */ `
  type Thing { id: ID! }
  type Query { ok: Boolean! }
  type Mutation { touch(id: ID!): Thing! }
`;

/** Apollo Server 5 as its docs set it up: SDL typeDefs and a resolver map, on express 5. */
async function bareApollo(typeDefs: string, resolvers: Record<string, unknown>, context?: (authorization: string | undefined) => Promise<object>) {
  const app = express();
  const http = createServer(app);
  const apollo = new ApolloServer({ typeDefs, resolvers: resolvers as never, plugins: [ApolloServerPluginLandingPageDisabled()], stopOnTerminationSignals: false });
  await apollo.start();
  app.use(
    "/graphql",
    express.json(),
    expressMiddleware(apollo, { context: async ({ req }) => (context ? context(req.headers.authorization) : {}) }),
  );
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return { port: (http.address() as AddressInfo).port, close: () => apollo.stop().then(() => http.close()) };
}

async function start(kind: ServerKind, games: number): Promise<{ port: number; gameIds: string[]; close(): Promise<unknown> }> {
  const t = Date.now();
  const records: GameRecord[] = Array.from({ length: games }, (_, i) => lobbyGame(i, t));
  const gameIds = records.map((g) => g.id);
  if (kind === "project") {
    const redisUrl = process.env.BENCH_REDIS_URL;
    const prefix = `hot${process.pid}`;
    // Requests come from 1,000 addresses behind the trusted proxy hop (see the load generator).
    const env = loadEnv(projectBenchEnv({ secret: BENCH_SECRET, prefix, redisUrl, overrides: ROOMY_PLAYERS }));
    const app = await createApp(env, createLogger("silent"), { api: true, worker: false });
    for (let i = 0; i < records.length; i += 500) await Promise.all(records.slice(i, i + 500).map((g) => app.backends.store.create(g)));
    const { port } = await app.api!.listen(0, "127.0.0.1");
    return { port, gameIds, close: () => app.close() };
  }
  if (kind === "bare-games") {
    const open = records; // sorted oldest first, as the project's default sort
    const server = await bareApollo(BARE_GAMES_SDL, {
      JSON: GraphQLJSON,
      Query: {
        games: (_: unknown, args: { first: number; filter?: { gameType?: string } }) => {
          const matching = open.filter(
            (g) => g.state === GameState.OPEN && g.visibility === Visibility.PUBLIC && (!args.filter?.gameType || g.gameType === args.filter.gameType),
          );
          return { totalCount: matching.length, edges: matching.slice(0, args.first).map((node) => ({ cursor: node.id, node })) };
        },
      },
      Game: { freeSeats: (g: GameRecord) => g.capacity - g.players.length },
    });
    return { ...server, gameIds };
  }
  const secret = BENCH_SECRET;
  const server = await bareApollo(
    TRIVIAL_SDL,
    { Query: { ok: () => true }, Mutation: { touch: (_: unknown, { id }: { id: string }) => ({ id }) } },
    kind === "trivial-jwt"
      ? async (authorization) => {
          const token = authorization?.replace(/^Bearer\s+/i, "") ?? "";
          try {
            // As jose's README shows it, and as src/auth/jwt.ts did: the secret as a Uint8Array.
            const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ["HS256"], requiredClaims: ["exp"] });
            return { sub: payload.sub };
          } catch {
            throw new GraphQLError("bad token", { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
          }
        }
      : undefined,
  );
  return { ...server, gameIds };
}

async function main(): Promise<void> {
  const kind = process.argv[2] as ServerKind;
  const server = await start(kind, Number(process.env.BENCH_GAMES ?? 2_000));
  let profile: Awaited<ReturnType<typeof startCpuProfile>> | null = null;
  process.on("message", async (msg: { cmd: string; file?: string; intervalUs?: number }) => {
    if (msg.cmd === "profile-start") {
      profile = await startCpuProfile(msg.intervalUs ?? 250);
      process.send!({ ok: "profile-start" });
    } else if (msg.cmd === "profile-stop") {
      await profile!.stop(msg.file!);
      profile = null;
      process.send!({ ok: "profile-stop" });
    } else if (msg.cmd === "cpu") {
      // Every thread's CPU time (WebCrypto's HMAC jobs run on libuv's pool), µs.
      const { user, system } = process.cpuUsage();
      process.send!({ ok: "cpu", cpuUs: user + system, maxRssKb: process.resourceUsage().maxRSS });
    } else if (msg.cmd === "stop") {
      await server.close();
      process.exit(0);
    }
  });
  process.send!({ port: server.port, gameIds: kind === "project" ? server.gameIds : [] });
}

// Imported by hot-paths.bench.ts for its constants; runs only as the forked server.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
