import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TicketPool } from "../../src/domain/tickets/pool.js";
import type { Ticket } from "../../src/domain/tickets/ticket.js";

const ticket = (id: string, rating: number, extra: Partial<Ticket> = {}): Ticket => ({ id, version: 1, playerIds: [`${id}-p`], rating, enqueuedAt: 0, ...extra });

describe("TicketPool", () => {
  it("adds, gets and removes tickets, keeping its own frozen copy", () => {
    const pool = new TicketPool();
    const mine = { ...ticket("a", 1500), playerIds: ["x"] };
    expect(pool.add(mine)).toBe(true);
    mine.playerIds.push("y");
    expect(pool.get("a")?.playerIds).toEqual(["x"]);
    expect(Object.isFrozen(pool.get("a"))).toBe(true);
    expect(pool.size).toBe(1);
    expect(pool.remove("a")?.id).toBe("a");
    expect(pool.remove("a")).toBeUndefined();
    expect(pool.size).toBe(0);
    expect([...pool.tickets()]).toEqual([]);
  });

  it("replaces a ticket only with a newer version (a re-add after a lost commit race)", () => {
    const pool = new TicketPool();
    pool.add(ticket("a", 1500, { version: 3 }));
    expect(pool.add(ticket("a", 1900, { version: 2 }))).toBe(false);
    expect(pool.add(ticket("a", 1900, { version: 3 }))).toBe(false);
    expect(pool.get("a")?.rating).toBe(1500);
    expect(pool.add(ticket("a", 1900, { version: 4 }))).toBe(true);
    expect(pool.get("a")?.rating).toBe(1900);
    expect([...pool.tickets()].map((t) => t.rating)).toEqual([1900]); // the old rating is gone from the order too
  });

  it("refuses a rating or enqueuedAt that would corrupt its orders", () => {
    const pool = new TicketPool();
    expect(() => pool.add(ticket("a", Number.NaN))).toThrow(RangeError);
    expect(() => pool.add(ticket("b", 1, { enqueuedAt: Infinity }))).toThrow(RangeError);
    expect(pool.size).toBe(0);
  });

  it("walks other tickets nearest in rating first, each side up to its limit (property, against a sort)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 40 }).chain((ids) =>
          fc.tuple(fc.constant(ids), fc.array(fc.integer({ min: 0, max: 30 }), { minLength: ids.length, maxLength: ids.length }), fc.nat(ids.length - 1), fc.nat(20)),
        ),
        ([ids, ratings, seedAt, reach]) => {
          const pool = new TicketPool();
          const ts = ids.map((n, i) => ticket(`t${String(n).padStart(2, "0")}`, ratings[i]!));
          for (const t of ts) pool.add(t);
          const seed = ts[seedAt]!;
          const r = seed.rating;
          const scan = { beyondUp: (x: number) => x > r + reach, beyondDown: (x: number) => x < r - reach, cut: false };
          const walked = [...pool.nearest(pool.entry(seed.id)!, scan)].map((e) => e.ticket.id);
          const others = ts.filter((t) => t !== seed);
          const expected = others
            .filter((t) => Math.abs(t.rating - r) <= reach)
            .sort((a, b) => Math.abs(a.rating - r) - Math.abs(b.rating - r) || a.rating - b.rating || (a.id < b.id ? -1 : 1));
          // Same set, and distances never decrease along the walk.
          expect([...walked].sort()).toEqual(expected.map((t) => t.id).sort());
          const dist = walked.map((id) => Math.abs(pool.get(id)!.rating - r));
          expect(dist).toEqual([...dist].sort((a, b) => a - b));
          expect(scan.cut).toBe(others.some((t) => Math.abs(t.rating - r) > reach));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("serves seeds round-robin: the oldest due first, a served ticket behind everyone still due", () => {
    const pool = new TicketPool();
    for (const [id, at] of [["c", 30], ["a", 10], ["b", 20]] as const) pool.add(ticket(id, 1500, { enqueuedAt: at }));
    const t0 = pool.beginTick();
    expect([pool.nextSeed(t0), pool.nextSeed(t0)].map((e) => e?.ticket.id)).toEqual(["a", "b"]);
    const t1 = pool.beginTick();
    pool.add(ticket("d", 1500, { enqueuedAt: 5 })); // older, but it arrived after c was due
    expect([pool.nextSeed(t1), pool.nextSeed(t1), pool.nextSeed(t1), pool.nextSeed(t1), pool.nextSeed(t1)].map((e) => e?.ticket.id)).toEqual(["c", "a", "b", undefined, undefined]);
    const t2 = pool.beginTick();
    expect(pool.nextSeed(t2)?.ticket.id).toBe("d");
  });
});
