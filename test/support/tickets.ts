/** fast-check arbitraries for ticket matchmaking: queues of every layout and clock, and pools that fit them. */
import fc from "fast-check";
import { parseQueue } from "../../src/config/catalog-queues.js";
import type { QueueConfig } from "../../src/domain/tickets/queue.js";
import { partySizeCanMatch, type Ticket } from "../../src/domain/tickets/ticket.js";
import { newTicketId, type TicketRecord, TicketStatus } from "../../src/domain/tickets/ticket-record.js";

/** alice's SEARCHING 1v1 ticket in duel's "ranked" queue, enqueued at `at`, unless overridden. */
export function searchingTicket(at: number, overrides: Partial<TicketRecord> = {}): TicketRecord {
  return {
    id: newTicketId("duel"),
    gameType: "duel",
    queueId: "ranked",
    status: TicketStatus.SEARCHING,
    version: 1,
    ownerId: "alice",
    players: [{ id: "alice", name: "Alice" }],
    partyId: null,
    rating: 1500,
    latencies: null,
    enqueuedAt: at,
    updatedAt: at,
    match: null,
    reason: null,
    ...overrides,
  };
}

export const REGIONS = ["eu", "us", "asia"] as const;

export const LAYOUTS = [
  { count: 2, size: 1 },
  { count: 2, size: 2 },
  { count: 2, size: 5 },
  { count: 3, size: 2 },
  { count: 1, minPlayers: 2, maxPlayers: 6 },
  { count: 1, minPlayers: 3, maxPlayers: 4 },
] as const;

/** Any valid queue, small bounds so that seeds and candidate budgets actually bind. */
export const queueArb = (layouts: readonly object[] = LAYOUTS): fc.Arbitrary<QueueConfig> =>
  fc
    .record({
      teams: fc.constantFrom(...layouts),
      windowClock: fc.constantFrom("own", "oldest", "newest"),
      initialWindow: fc.integer({ min: 0, max: 150 }),
      linear: fc.boolean(),
      region: fc.boolean(),
      maxSpread: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      maxWaitMs: fc.integer({ min: 1_000, max: 12_000 }),
      seedsPerTick: fc.integer({ min: 1, max: 30 }),
      candidatesPerSeed: fc.integer({ min: 1, max: 40 }),
    })
    .map((r) =>
      parseQueue({
        id: "q",
        teams: r.teams,
        windowClock: r.windowClock,
        rating: {
          initialWindow: r.initialWindow,
          maxWindow: r.initialWindow + 400,
          expansion: r.linear
            ? { kind: "linear", perSecond: 40 }
            : {
                kind: "steps",
                steps: [
                  { afterMs: Math.floor(r.maxWaitMs / 3), window: r.initialWindow + 60 },
                  { afterMs: Math.floor((2 * r.maxWaitMs) / 3), window: r.initialWindow + 200 },
                ],
              },
        },
        ...(r.region ? { region: { maxLatencyMs: 60, expansion: [{ afterMs: Math.floor(r.maxWaitMs / 2), maxLatencyMs: 140 }] } } : {}),
        ...(r.maxSpread !== undefined ? { partySize: { maxSpread: r.maxSpread } } : {}),
        maxWaitMs: r.maxWaitMs,
        seedsPerTick: r.seedsPerTick,
        candidatesPerSeed: r.candidatesPerSeed,
      }),
    );

/** Party sizes a ticket of `queue` may have (those validateTicket accepts). */
export const partySizes = (queue: QueueConfig): number[] =>
  Array.from({ length: queue.partySize.max }, (_, i) => i + 1).filter((s) => partySizeCanMatch(queue, s));

/** Up to `max` valid tickets for `queue`, enqueued within [0, spanMs]; ids t0, t1, … */
export const ticketsArb = (queue: QueueConfig, max: number, spanMs: number): fc.Arbitrary<Ticket[]> => {
  const sizes = partySizes(queue);
  const one = fc.record({
    version: fc.integer({ min: 1, max: 9 }),
    size: fc.constantFrom(...sizes),
    // Mostly a narrow band so matches happen; sometimes fractional, sometimes far out.
    rating: fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 1_400, max: 1_700 }) },
      { weight: 1, arbitrary: fc.double({ min: 1_000, max: 2_000, noNaN: true, noDefaultInfinity: true }) },
    ),
    latencies: fc.subarray([...REGIONS], { minLength: 1 }).chain((rs) =>
      fc.tuple(...rs.map(() => fc.integer({ min: 5, max: 200 }))).map((ms) => Object.fromEntries(rs.map((r, i) => [r, ms[i]!]))),
    ),
    enqueuedAt: fc.integer({ min: 0, max: Math.floor(spanMs) }),
  });
  return fc.array(one, { maxLength: max, size: "max" }).map((list) =>
    list.map((t, i) => ({
      id: `t${i}`,
      version: t.version,
      playerIds: Array.from({ length: t.size }, (_, j) => `t${i}-p${j}`),
      rating: t.rating,
      ...(queue.region ? { latencies: t.latencies } : {}),
      enqueuedAt: t.enqueuedAt,
    })),
  );
};
