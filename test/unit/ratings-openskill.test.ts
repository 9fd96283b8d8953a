import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_RATE_INPUT_BYTES, rateCommand } from "../../src/cli-rate.js";
import { MAX_RATED_PLAYERS, MAX_RATED_TEAMS, rateMatch } from "../../src/ratings/openskill.js";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

describe("OpenSkill rating updates", () => {
  it("raises the winners, lowers the losers, and grows more certain of both", () => {
    const after = rateMatch({ teams: [["alice"], ["bob"]], result: { winner_id: "alice" } });
    expect(after.alice!.mu).toBeGreaterThan(25);
    expect(after.bob!.mu).toBeLessThan(25);
    expect(after.alice!.sigma).toBeLessThan(25 / 3);
    expect(after.alice!.ordinal).toBeCloseTo(after.alice!.mu - 3 * after.alice!.sigma, 9);
  });

  it("moves an upset more than an expected result, and a draw between equals not at all", () => {
    const strong = { mu: 35, sigma: 3 };
    const weak = { mu: 15, sigma: 3 };
    const expected = rateMatch({ teams: [["s"], ["w"]], result: { winner_id: "s" }, ratings: { s: strong, w: weak } });
    const upset = rateMatch({ teams: [["s"], ["w"]], result: { winner_id: "w" }, ratings: { s: strong, w: weak } });
    expect(upset.w!.mu - weak.mu).toBeGreaterThan(expected.s!.mu - strong.mu);
    const draw = rateMatch({ teams: [["a"], ["b"]], ratings: { a: { mu: 25, sigma: 4 }, b: { mu: 25, sigma: 4 } } });
    expect(draw.a!.mu).toBeCloseTo(25, 9);
    expect(draw.b!.mu).toBeCloseTo(25, 9);
  });

  it("rates teams as a matched ticket reports them, and a ranking of several teams", () => {
    const teams = [["a1", "a2"], ["b1", "b2"], ["c1", "c2"]];
    const ranked = rateMatch({ teams, result: { ranking: [2, 0] } }); // c first, a second, b last
    expect(ranked.c1!.mu).toBeGreaterThan(ranked.a1!.mu);
    expect(ranked.a1!.mu).toBeGreaterThan(ranked.b1!.mu);
    // Team mates who start equal end equal.
    expect(ranked.c1).toEqual(ranked.c2);
  });

  it("a win never lowers the winners and a loss never raises the losers (property)", () => {
    const skill = fc.record({ mu: fc.double({ min: 0, max: 50, noNaN: true }), sigma: fc.double({ min: 0.5, max: 10, noNaN: true }) });
    fc.assert(
      fc.property(skill, skill, (a, b) => {
        const after = rateMatch({ teams: [["a"], ["b"]], result: { winner_id: "a" }, ratings: { a, b } });
        expect(after.a!.mu).toBeGreaterThanOrEqual(a.mu);
        expect(after.b!.mu).toBeLessThanOrEqual(b.mu);
      }),
    );
  });

  it("refuses a match it cannot rate, saying why, and bounds what it reads", () => {
    const refusal = (m: unknown) => {
      try {
        rateCommand(JSON.stringify(m));
        return "rated";
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(refusal({ teams: [["a"]] })).toMatch(/teams/);
    expect(refusal({ teams: [["a"], ["a"]] })).toMatch(/two places/);
    expect(refusal({ teams: [["a"], ["b"]], result: { winner_id: "zed" } })).toMatch(/winner_id "zed" is in no team/);
    expect(refusal({ teams: [["a"], ["b"]], result: { ranking: [0, 5] } })).toMatch(/ranking/);
    expect(refusal({ teams: [["a"], ["b"]], ratings: { a: { mu: 25, sigma: 0 } } })).toMatch(/sigma/);
    expect(refusal({ teams: Array.from({ length: MAX_RATED_TEAMS + 1 }, (_, i) => [`p${i}`]) })).toMatch(/teams/);
    expect(refusal({ teams: [Array.from({ length: MAX_RATED_PLAYERS }, (_, i) => `p${i}`), ["last"]] })).toMatch(new RegExp(`At most ${MAX_RATED_PLAYERS}`));
    expect(() => rateCommand("{")).toThrow(/not JSON/);
    expect(() => rateCommand(" ".repeat(MAX_RATE_INPUT_BYTES + 1))).toThrow(/bytes/);
  });

  it("`matchmaker rate` reads a match on stdin and prints the new ratings; a bad one exits 1 with the reason", () => {
    const match = { teams: [["alice"], ["bob"]], result: { winner_id: "bob", loser_id: "alice" }, ratings: { alice: { mu: 30, sigma: 5 } } };
    const ok = spawnSync(process.execPath, [CLI, "rate"], { input: JSON.stringify(match), encoding: "utf8" });
    expect(ok.status).toBe(0);
    const printed = JSON.parse(ok.stdout) as Record<string, { mu: number; sigma: number; ordinal: number }>;
    expect(printed).toEqual(rateMatch(match));
    expect(printed.bob!.mu).toBeGreaterThan(25);
    const bad = spawnSync(process.execPath, [CLI, "rate"], { input: '{"teams": [["solo"]]}', encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^Cannot rate this match:/);
    expect(bad.stderr).not.toMatch(/at .*\.js/); // no stack trace
  });
});
