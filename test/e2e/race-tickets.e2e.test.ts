import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as G from "../generated/graphql.js";
import { gql, tokenFor, waitFor } from "../support/app.js";
import { type ApiProcess, startApiProcess } from "../support/api-process.js";
import { type RedisCluster, startRedisCluster } from "../support/redis-cluster.js";
import { randomPrefix, startRedisServer } from "../support/redis-server.js";
import { CANCEL_TICKET, ENQUEUE_TICKET, TICKET } from "./operations-tickets.js";

/** A 1v1 queue where everyone fits everyone: every interleaving of matchers and cancels is possible. */
const CATALOG_YAML = `gameTypes:
  - id: duel
    name: Duel
    minPlayers: 2
    maxPlayers: 2
    queues:
      - id: ranked
        teams: { count: 2, size: 1 }
        rating: { attribute: mmr, initialWindow: 1000, expansion: { kind: linear, perSecond: 1 }, maxWindow: 1000 }
        maxWaitMs: 60000
`;

function catalogFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), "mm-tickets-")), "game-types.yaml");
  writeFileSync(path, CATALOG_YAML);
  return path;
}

interface Target {
  name: string;
  start(): Promise<{ api: ApiProcess; workers: ApiProcess[] }>;
  stop(): Promise<void>;
}

/** One API process and two worker processes — two matchers ticking the same queue — on `redis`. */
function processesOn(name: string, redis: () => Promise<{ url: string; env: Record<string, string>; stop(): Promise<void> }>): Target {
  let procs: ApiProcess[] = [];
  let backend: { stop(): Promise<void> } | null = null;
  return {
    name,
    async start() {
      const r = await redis();
      backend = r;
      const prefix = randomPrefix();
      const env = { MATCHMAKER_GAME_TYPES: catalogFile(), MATCH_TICK_MS: "50", ...r.env };
      procs = await Promise.all([
        startApiProcess(r.url, prefix, "api", env),
        startApiProcess(r.url, prefix, "worker", env),
        startApiProcess(r.url, prefix, "worker", env),
      ]);
      return { api: procs[0]!, workers: procs.slice(1) };
    },
    async stop() {
      await Promise.all(procs.map((p) => p.stop()));
      await backend?.stop();
    },
  };
}

const oneRedis = processesOn("two matcher processes on one Redis", async () => {
  const server = await startRedisServer();
  return { url: server.url, env: {}, stop: () => server.stop() };
});
const cluster = processesOn("two matcher processes on a 3-master Redis Cluster", async () => {
  const c: RedisCluster = await startRedisCluster({ masters: 3 });
  return { url: "", env: { REDIS_CLUSTER_NODES: c.seeds }, stop: () => c.stop() };
});

describe.each([oneRedis, cluster])("ticket races ($name)", (target) => {
  let api: ApiProcess;
  let workers: ApiProcess[];
  beforeAll(async () => {
    ({ api, workers } = await target.start());
  }, 60_000);
  afterAll(() => target.stop());

  it("200 tickets, two matchers and a cancel racing every third: no ticket in two games, every cancel definite", async () => {
    const N = 200;
    const tokens = await Promise.all(Array.from({ length: N }, (_, i) => tokenFor(`r${i}`)));
    const admin = await tokenFor("ops", { admin: true });
    const cancels = new Map<string, G.CancelTicketMutation["cancelMatchTicket"]>();
    const ids = await Promise.all(
      tokens.map(async (tok, i) => {
        const r = await gql<G.EnqueueTicketMutation>(api.url, ENQUEUE_TICKET, { input: { gameType: "duel", queue: "ranked", rating: 1500 + (i % 7) } }, tok);
        if (!r.data) throw new Error(`enqueue: ${JSON.stringify(r.errors)}`);
        const id = r.data.enqueueMatchTicket.id;
        if (i % 3 === 0) {
          // Somewhere in the matchers' next ticks: before, during or after a commit.
          await new Promise((resolve) => setTimeout(resolve, i % 40));
          const c = await gql<G.CancelTicketMutation>(api.url, CANCEL_TICKET, { id }, tok);
          if (!c.data) throw new Error(`cancel: ${JSON.stringify(c.errors)}`);
          cancels.set(id, c.data.cancelMatchTicket);
        }
        return id;
      }),
    );
    const read = () => Promise.all(ids.map(async (id) => (await gql<G.TicketQuery>(api.url, TICKET, { id }, admin)).data!.matchTicket!));
    // Everyone ends: matched with someone, or cancelled (at most one odd ticket out may still search).
    await waitFor(async () => (await read()).filter((t) => t.status === "SEARCHING").length <= 1, "every ticket to end", 20_000);
    const tickets = await read();

    const byGame = new Map<string, string[]>();
    for (const t of tickets) {
      if (t.status !== "MATCHED") continue;
      const list = byGame.get(t.game!.id) ?? [];
      list.push(t.players[0]!.playerId);
      byGame.set(t.game!.id, list);
    }
    for (const [gameId, players] of byGame) {
      // Exactly the two tickets matched to it are its players, nobody else.
      const game = tickets.find((t) => t.game?.id === gameId)!.game!;
      expect(game.players.map((p) => p.id).sort()).toEqual([...players].sort());
      expect(players).toHaveLength(2);
    }
    const seated = [...byGame.values()].flat();
    expect(new Set(seated).size).toBe(seated.length);
    for (const t of tickets) {
      const c = cancels.get(t.id);
      if (!c) continue;
      // A cancel that won: cancelled and in no game; one that lost: it names the match that stands.
      if (c.cancelled) expect(t).toMatchObject({ status: "CANCELLED", game: null });
      else expect(t).toMatchObject({ status: "MATCHED", game: { id: c.ticket.game!.id } });
    }
    expect(byGame.size).toBeGreaterThan(30);
    // Both matchers took part: each committed matches, and they met each other's commits.
    const metric = async (w: ApiProcess, name: string) =>
      [...(await (await fetch(w.metricsUrl)).text()).matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\d+)`, "gm"))].reduce((n, m) => n + Number(m[1]), 0);
    const matched = await Promise.all(workers.map((w) => metric(w, "matchmaker_tickets_ended_total")));
    expect(matched.reduce((a, b) => a + b, 0)).toBe(seated.length);
    for (const n of matched) expect(n).toBeGreaterThan(0);
    // (How many cancels win depends on how fast the matchers are: under load they may win none.)
    expect(cancels.size).toBe(Math.ceil(N / 3));
  }, 60_000);
});
