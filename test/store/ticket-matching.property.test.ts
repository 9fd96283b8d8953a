import fc from "fast-check";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createMemoryBus } from "../../src/bus/memory-bus.js";
import type { GameRecord } from "../../src/domain/game.js";
import { createCatalog } from "../../src/domain/game-type.js";
import type { ProposedMatch } from "../../src/domain/tickets/matcher.js";
import type { QueueConfig } from "../../src/domain/tickets/queue.js";
import type { Ticket } from "../../src/domain/tickets/ticket.js";
import { type TicketRecord, TicketStatus } from "../../src/domain/tickets/ticket-record.js";
import type { GameServerClient } from "../../src/gameserver/game-server-client.js";
import { createGameService } from "../../src/service/game-service.js";
import type { GameStore } from "../../src/store/game-store.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { createRedisStore } from "../../src/store/redis/redis-store.js";
import { createMemoryEventStream } from "../../src/stream/memory-event-stream.js";
import { typeDef } from "../support/games.js";
import { randomPrefix } from "../support/redis-server.js";
import { queueArb, ticketsArb } from "../support/tickets.js";
import { violations } from "../support/tickets-reference.js";
import { useRedisClient } from "../support/use-redis.js";

const T0 = 1_900_000_000_000;
const DECLARED_REGIONS = ["eu", "us"];
const TICK_MS = 1_000;
const noServers = { hasServer: () => false } as unknown as GameServerClient;

/** What became of each ticket: MATCHED with whom (ticket ids, sorted), or TIMED_OUT with a reason. */
type Outcome = Record<string, string>;

/**
 * Runs the production matcher (the worker's queue matcher on a real store) over `arrivals` on a
 * clock that advances one tick a second, until every ticket has had its maximum wait and two
 * ticks more. Returns the tickets as they ended and each one's outcome.
 */
async function play(store: GameStore, queue: QueueConfig, arrivals: readonly Ticket[]): Promise<{ tickets: TicketRecord[]; outcome: Outcome; games: Map<string, GameRecord | null> }> {
  const players = queue.teams.kind === "teams" ? queue.teams.count * queue.teams.size : queue.teams.maxPlayers;
  // Two of the tickets' three regions declared: a match in the third makes a game without a region.
  const catalog = createCatalog([typeDef("duel", players, {}, undefined, { minPlayers: 1, queues: [queue], regions: [...DECLARED_REGIONS] })]);
  let clock = T0;
  const service = createGameService({
    store,
    bus: createMemoryBus("prop"),
    stream: createMemoryEventStream(),
    catalog,
    gameServers: noServers,
    validateSettings: () => ({}),
    logger: pino({ level: "silent" }),
    now: () => clock,
  });
  const [matcher] = service.queueMatchers();
  const records: TicketRecord[] = arrivals.map((t, i) => ({
    id: `tkt_duel_${String(i).padStart(16, "0")}`,
    gameType: "duel",
    queueId: queue.id,
    status: TicketStatus.SEARCHING,
    version: 1,
    ownerId: t.playerIds[0]!,
    players: t.playerIds.map((id) => ({ id, name: id })),
    partyId: null,
    rating: t.rating,
    latencies: t.latencies ? { ...t.latencies } : null,
    enqueuedAt: T0 + t.enqueuedAt,
    updatedAt: T0 + t.enqueuedAt,
    match: null,
    reason: null,
  }));
  const last = Math.max(0, ...records.map((r) => r.enqueuedAt)) + queue.maxWaitMs + 2 * TICK_MS;
  let next = 0;
  const byArrival = [...records].sort((a, b) => a.enqueuedAt - b.enqueuedAt);
  for (; clock <= last; clock += TICK_MS) {
    while (next < byArrival.length && byArrival[next]!.enqueuedAt <= clock) await store.enqueueTicket(byArrival[next++]!);
    await matcher!.runTick();
  }
  const tickets = await Promise.all(records.map(async (r) => (await store.getTicket(r))!));
  const ticketOf = new Map(tickets.flatMap((t) => t.players.map((p) => [p.id, t.id] as const)));
  const outcome: Outcome = {};
  for (const t of tickets) {
    outcome[t.id] =
      t.status === TicketStatus.MATCHED
        ? `MATCHED ${[...new Set(t.match!.teams.flat().map((p) => ticketOf.get(p)!))].sort().join(",")}`
        : `${t.status} ${t.reason}`;
  }
  const gameIds = [...new Set(tickets.flatMap((t) => (t.match ? [t.match.gameId] : [])))];
  const games = new Map(await Promise.all(gameIds.map(async (id) => [id, await store.get({ gameType: "duel", id })] as const)));
  return { tickets, outcome, games };
}

/** The proposal a matched ticket's match stands for, as the reference judges it. */
function proposalOf(group: readonly TicketRecord[]): ProposedMatch {
  const ticketOf = new Map(group.flatMap((t) => t.players.map((p) => [p.id, t.id] as const)));
  const m = group[0]!.match!;
  return {
    tickets: group.map((t) => ({ id: t.id, version: 1 })),
    teams: m.teams.map((team) => [...new Set(team.map((p) => ticketOf.get(p)!))]),
    teamRatings: m.teamRatings,
    teamDifference: m.teamDifference,
    ratingSpread: m.ratingSpread,
    region: m.region,
  };
}

const redis = useRedisClient();

describe("the production matcher on both stores (property, against the reference)", () => {
  it("puts no ticket in two games, commits only matches valid for every member, ends every ticket by its maximum wait, and agrees across backends", async () => {
    await fc.assert(
      fc.asyncProperty(
        queueArb().chain((q) => fc.tuple(fc.constant(q), ticketsArb(q, 24, 6_000))),
        async ([queue, arrivals]) => {
          const memory = await play(createMemoryStore({ catalog: createCatalog([]) }), queue, arrivals);
          const prefix = randomPrefix();
          const onRedis = await play(createRedisStore({ redis: redis.client(), prefix, catalog: createCatalog([]) }), queue, arrivals);
          // The same code on both backends: the same matches, the same timeouts and reasons.
          expect(onRedis.outcome).toEqual(memory.outcome);

          const views = new Map(arrivals.map((t, i) => [`tkt_duel_${String(i).padStart(16, "0")}`, { ...t, id: `tkt_duel_${String(i).padStart(16, "0")}`, version: 1, enqueuedAt: T0 + t.enqueuedAt }]));
          const games = new Map<string, TicketRecord[]>();
          for (const t of memory.tickets) {
            // Ended, and by its maximum wait (one tick of slack: the matcher looks once a tick).
            expect(t.status).not.toBe(TicketStatus.SEARCHING);
            expect(t.updatedAt - t.enqueuedAt).toBeLessThanOrEqual(queue.maxWaitMs + TICK_MS);
            if (t.status !== TicketStatus.MATCHED) continue;
            const list = games.get(t.match!.gameId) ?? [];
            list.push(t);
            games.set(t.match!.gameId, list);
          }
          const seated = new Set<string>();
          for (const group of games.values()) {
            for (const p of group.flatMap((t) => t.players.map((x) => x.id))) {
              expect(seated.has(p), `${p} in two games`).toBe(false);
              seated.add(p);
            }
            // Valid at the moment it was committed, for every member (window both ways, region, parties, layout).
            expect(violations(queue, group[0]!.updatedAt, views, proposalOf(group))).toEqual([]);
          }
          // Each match's game, on both backends: exactly its players, its teams and ratings, its region.
          for (const run of [memory, onRedis]) {
            for (const t of run.tickets) {
              if (!t.match) continue;
              const game = run.games.get(t.match.gameId);
              const { gameId: _id, region, ...teams } = t.match;
              expect(game?.match).toEqual({ queueId: queue.id, ...teams });
              expect(game?.region).toBe(region !== null && DECLARED_REGIONS.includes(region) ? region : null);
              expect(new Set(game?.players.map((p) => p.id))).toEqual(new Set(t.match.teams.flat()));
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
