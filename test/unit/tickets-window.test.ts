import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseQueue } from "../../src/config/catalog-queues.js";
import { partySizeCanMatch, type Ticket, TicketRejection, validateTicket } from "../../src/domain/tickets/ticket.js";
import { latencyAllowedAt, nextWideningAt, windowAt } from "../../src/domain/tickets/window.js";
import { queueArb } from "../support/tickets.js";

const stepped = parseQueue({
  id: "s",
  teams: { count: 2, size: 1 },
  rating: { initialWindow: 100, expansion: { kind: "steps", steps: [{ afterMs: 10_000, window: 200 }, { afterMs: 30_000, window: 1_000 }] }, maxWindow: 1_000 },
  region: { maxLatencyMs: 80, expansion: [{ afterMs: 20_000, maxLatencyMs: 150 }] },
});

describe("windowAt / latencyAllowedAt", () => {
  it("steps: the window of the last step passed; a negative wait counts as 0", () => {
    expect([-5, 0, 9_999, 10_000, 29_999, 30_000, 1e9].map((w) => windowAt(stepped, w))).toEqual([100, 100, 100, 200, 200, 1_000, 1_000]);
  });

  it("linear: initialWindow + perSecond × seconds, capped", () => {
    const linear = parseQueue({ id: "l", teams: { count: 2, size: 1 }, rating: { initialWindow: 50, expansion: { kind: "linear", perSecond: 10 }, maxWindow: 300 } });
    expect([0, 1_500, 10_000, 25_000, 60_000].map((w) => windowAt(linear, w))).toEqual([50, 65, 150, 300, 300]);
  });

  it("latency: the base, raised by each step passed; Infinity without a region rule", () => {
    expect([0, 19_999, 20_000].map((w) => latencyAllowedAt(stepped, w))).toEqual([80, 80, 150]);
    expect(latencyAllowedAt(parseQueue({ id: "n", teams: { count: 2, size: 1 } }), 0)).toBe(Infinity);
  });

  it("names when the window next widens: each step, linear every few seconds until the cap, then never", () => {
    expect([0, 9_999, 10_000, 29_999, 30_000].map((w) => nextWideningAt(stepped, w, 5_000))).toEqual([10_000, 10_000, 30_000, 30_000, null]);
    const linear = parseQueue({ id: "l", teams: { count: 2, size: 1 }, rating: { initialWindow: 50, expansion: { kind: "linear", perSecond: 10 }, maxWindow: 300 } });
    // 25 s to reach ±300: every 5 s until then, the last one at the cap.
    expect([0, 4_000, 22_000, 25_000].map((w) => nextWideningAt(linear, w, 5_000))).toEqual([5_000, 9_000, 25_000, null]);
  });

  it("the next widening is later than the wait and really widens the window (property)", () => {
    fc.assert(
      fc.property(queueArb(), fc.integer({ min: -1_000, max: 100_000 }), fc.integer({ min: 1, max: 10_000 }), (q, wait, every) => {
        const next = nextWideningAt(q, wait, every);
        if (next === null) {
          expect(windowAt(q, wait + 1e9)).toBe(windowAt(q, wait));
          return;
        }
        expect(next).toBeGreaterThan(Math.max(0, wait));
        expect(windowAt(q, next)).toBeGreaterThan(windowAt(q, wait));
      }),
    );
  });

  it("never narrows as the wait grows and never passes maxWindow (property)", () => {
    fc.assert(
      fc.property(queueArb(), fc.integer({ min: -1_000, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }), (q, a, more) => {
        expect(windowAt(q, a)).toBeLessThanOrEqual(windowAt(q, a + more));
        expect(windowAt(q, a + more)).toBeLessThanOrEqual(q.rating.maxWindow);
        expect(windowAt(q, a)).toBeGreaterThanOrEqual(Math.min(q.rating.initialWindow, q.rating.maxWindow));
        expect(latencyAllowedAt(q, a)).toBeLessThanOrEqual(latencyAllowedAt(q, a + more));
      }),
    );
  });
});

describe("validateTicket", () => {
  const base: Ticket = { id: "t1", version: 1, playerIds: ["alice"], rating: 1500, latencies: { eu: 30 }, enqueuedAt: 1_000 };
  const reason = (t: Partial<Ticket>, q = stepped) => {
    const r = validateTicket(q, { ...base, ...t });
    return r.ok ? "ok" : r.reason;
  };

  it("accepts a well-formed ticket and names the first thing wrong otherwise", () => {
    expect(reason({})).toBe("ok");
    expect(reason({ id: "a:b" })).toBe(TicketRejection.BAD_ID);
    expect(reason({ version: -1 })).toBe(TicketRejection.BAD_VERSION);
    expect(reason({ playerIds: [] })).toBe(TicketRejection.NO_PLAYERS);
    expect(reason({ playerIds: ["a", "a"] })).toBe(TicketRejection.DUPLICATE_PLAYER);
    expect(reason({ playerIds: ["a", "b"] })).toBe(TicketRejection.PARTY_TOO_LARGE);
    expect(reason({ rating: Number.NaN })).toBe(TicketRejection.BAD_RATING);
    // Bounded, so a match's sums and differences stay finite: two ratings of 1e308 would overflow them.
    expect(reason({ rating: 1e308 })).toBe(TicketRejection.BAD_RATING);
    expect(reason({ rating: -1e9 })).toBe("ok");
    expect(reason({ enqueuedAt: 1.5 })).toBe(TicketRejection.BAD_ENQUEUED_AT);
    expect(reason({ latencies: {} })).toBe(TicketRejection.MISSING_LATENCIES);
    expect(reason({ latencies: undefined })).toBe(TicketRejection.MISSING_LATENCIES);
    expect(reason({ latencies: { eu: -1 } })).toBe(TicketRejection.BAD_LATENCY);
    expect(reason({ latencies: { "e u": 1 } })).toBe(TicketRejection.BAD_LATENCY);
  });

  it("ignores latencies where the queue has no region rule", () => {
    expect(reason({ latencies: undefined }, parseQueue({ id: "n", teams: { count: 2, size: 1 } }))).toBe("ok");
  });

  it("refuses a party no match could be filled around", () => {
    const premades = parseQueue({ id: "p", teams: { count: 2, size: 5 }, partySize: { maxSpread: 0 } });
    const check = validateTicket(premades, { ...base, playerIds: ["a", "b", "c", "d"] });
    expect(check).toEqual({ ok: false, reason: TicketRejection.PARTY_NEVER_MATCHES, message: expect.stringContaining("party of 4") });
    expect(validateTicket(premades, { ...base, playerIds: ["a", "b", "c", "d", "e"] }).ok).toBe(true);
  });
});

/** Integer partitions of n into parts ≤ max (the ways one team's players can be cut into parties). */
function partitions(n: number, max: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (let first = Math.min(n, max); first >= 1; first--) for (const rest of partitions(n - first, first)) out.push([first, ...rest]);
  return out;
}

describe("partySizeCanMatch", () => {
  it("agrees with every way of cutting the teams into parties (property)", () => {
    const layouts = fc.oneof(
      fc.record({ count: fc.integer({ min: 1, max: 3 }), size: fc.integer({ min: 1, max: 6 }) }),
      fc.integer({ min: 1, max: 7 }).chain((min) => fc.record({ count: fc.constant(1), minPlayers: fc.constant(min), maxPlayers: fc.integer({ min: Math.max(2, min), max: 8 }) })),
    );
    fc.assert(
      fc.property(layouts, fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }), fc.integer({ min: 1, max: 8 }), (teams, maxSpread, size) => {
        if ("size" in teams && teams.count * teams.size < 2) return;
        const q = parseQueue({ id: "q", teams, ...(maxSpread !== undefined ? { partySize: { maxSpread } } : {}) });
        const ok = (parts: number[]) => parts.includes(size) && parts.every((p) => p <= q.partySize.max) && (maxSpread === undefined || Math.max(...parts) - Math.min(...parts) <= maxSpread);
        let expected: boolean;
        const layout = q.teams;
        if (layout.kind === "teams") {
          const cuts = partitions(layout.size, layout.size);
          // Teams are independent: one team holding the party, the others cut compatibly.
          const combos = (k: number): number[][] => (k === 0 ? [[]] : combos(k - 1).flatMap((c) => cuts.map((p) => [...c, ...p])));
          expected = combos(layout.count).some(ok);
        } else {
          expected = Array.from({ length: layout.maxPlayers - layout.minPlayers + 1 }, (_, i) => layout.minPlayers + i).some((n) => partitions(n, n).some(ok));
        }
        expect(partySizeCanMatch(q, size)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
