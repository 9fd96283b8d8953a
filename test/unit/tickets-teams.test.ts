import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { balanceTeams, packParties, type Party } from "../../src/domain/tickets/teams.js";

/** Every assignment of parties to teams (count^n of them): the reference for tiny cases. */
function* assignments(n: number, count: number): Generator<number[]> {
  const a = new Array<number>(n).fill(0);
  for (;;) {
    yield [...a];
    let i = 0;
    while (i < n && ++a[i]! === count) a[i++] = 0;
    if (i === n) return;
  }
}

const loadsOf = (sizes: readonly number[], a: readonly number[], count: number) => {
  const loads = new Array<number>(count).fill(0);
  a.forEach((t, i) => (loads[t]! += sizes[i]!));
  return loads;
};

function bestDifference(parties: readonly Party[], count: number, size: number): number | null {
  let best: number | null = null;
  for (const a of assignments(parties.length, count)) {
    if (!loadsOf(parties.map((p) => p.size), a, count).every((l) => l === size)) continue;
    const means = new Array<number>(count).fill(0);
    a.forEach((t, i) => (means[t]! += (parties[i]!.size * parties[i]!.rating) / size));
    const d = Math.max(...means) - Math.min(...means);
    if (best === null || d < best) best = d;
  }
  return best;
}

/** Parties that exactly fill `count` teams of `size`: each team's players cut into random party sizes. */
const layoutArb = (maxCount: number, maxSize: number) =>
  fc
    .record({ count: fc.integer({ min: 2, max: maxCount }), size: fc.integer({ min: 1, max: maxSize }) })
    .chain(({ count, size }) =>
      fc.tuple(
        fc.constant(count),
        fc.constant(size),
        fc.array(fc.array(fc.integer({ min: 1, max: size }), { minLength: size, maxLength: size }), { minLength: count, maxLength: count }),
        fc.array(fc.integer({ min: 1_000, max: 2_000 }), { minLength: count * size, maxLength: count * size }),
      ),
    )
    .map(([count, size, cuts, ratings]) => {
      const sizes = cuts.flatMap((cut) => {
        const parts: number[] = [];
        let left = size;
        for (const c of cut) {
          if (left === 0) break;
          const p = Math.min(c, left);
          parts.push(p);
          left -= p;
        }
        return parts;
      });
      // Reversed so that a team's parties are not handed over side by side.
      const parties = sizes.map((s, i) => ({ id: `p${i}`, size: s, rating: ratings[i]! })).reverse();
      return { count, size, parties };
    });

describe("packParties", () => {
  it("finds a packing exactly when one exists (property, against every assignment)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 7 }),
        (count, size, sizes) => {
          const found = packParties(sizes, count, size);
          let exists = false;
          for (const a of assignments(sizes.length, count)) if (loadsOf(sizes, a, count).every((l) => l <= size)) exists = true;
          expect(found !== null).toBe(exists);
          if (found) expect(loadsOf(sizes, found, count).every((l) => l <= size)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("needs the parties rearranged, not first-fit: [3, 3, 2, 2, 2] into 2 × 6", () => {
    const team = packParties([3, 3, 2, 2, 2], 2, 6)!;
    expect(loadsOf([3, 3, 2, 2, 2], team, 2)).toEqual([6, 6]);
  });
});

describe("balanceTeams", () => {
  it("always fills every team exactly and never splits a party (property)", () => {
    fc.assert(
      fc.property(layoutArb(4, 8), ({ count, size, parties }) => {
        const split = balanceTeams(parties, count, size)!;
        expect(split).not.toBeNull();
        const sizeOf = new Map(parties.map((p) => [p.id, p.size]));
        expect(split.teams.flat().sort()).toEqual(parties.map((p) => p.id).sort());
        expect(split.teams.map((t) => t.reduce((n, id) => n + sizeOf.get(id)!, 0))).toEqual(new Array(count).fill(size));
        expect(split.difference).toBeCloseTo(Math.max(...split.teamRatings) - Math.min(...split.teamRatings), 9);
      }),
      { numRuns: 200 },
    );
  });

  it("finds the best split for small matches (property, against every assignment)", () => {
    fc.assert(
      fc.property(layoutArb(2, 5), ({ count, size, parties }) => {
        const split = balanceTeams(parties, count, size)!;
        expect(split.difference).toBeCloseTo(bestDifference(parties, count, size)!, 9);
      }),
      { numRuns: 200 },
    );
  });

  it("balances a 5 v 5 of solos by rating", () => {
    const ratings = [1000, 1100, 1200, 1300, 1400, 1500, 1600, 1700, 1800, 1900];
    const split = balanceTeams(ratings.map((r, i) => ({ id: `s${i}`, size: 1, rating: r })), 2, 5)!;
    // Team sums are multiples of 100 adding up to 14500: 7300 against 7200 is the best, 20 apart in mean.
    expect(split.difference).toBe(20);
    expect(split.teamRatings.reduce((a, b) => a + b)).toBe(2900);
  });
});
