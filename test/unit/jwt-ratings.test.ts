import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type JwtSettings, MAX_TOKEN_RATINGS, signToken, verifySession } from "../../src/auth/jwt.js";
import { MatchmakerError } from "../../src/domain/errors.js";

const S: JwtSettings = { secret: "ratings-test-secret-0123456789", issuer: null };

/** An HS256 token with exactly these claims (a login service's, right or wrong). */
function hs256(claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const input = `${part({ alg: "HS256" })}.${part({ exp: Math.floor(Date.now() / 1_000) + 600, ...claims })}`;
  return `${input}.${createHmac("sha256", S.secret).update(input).digest("base64url")}`;
}

/** [code, reason, message] of the refusal; null when the token was accepted. */
const refusal = async (token: string): Promise<unknown[] | null> =>
  verifySession(token, S).then(
    () => null,
    (err: unknown) => (err instanceof MatchmakerError ? [err.code, err.details?.reason, err.message] : [err]),
  );

describe("the ratings claim of a player token", () => {
  it("gives the actor the studio's ratings, frozen, and none when the claim is absent", async () => {
    const { actor } = await verifySession(await signToken({ sub: "alice", name: "Alice", ratings: { mmr: 1540, "duel-elo": 1210.5 } }, S), S);
    expect(actor.ratings).toEqual({ mmr: 1540, "duel-elo": 1210.5 });
    expect(Object.isFrozen(actor.ratings)).toBe(true);
    const plain = await verifySession(await signToken({ sub: "bob", name: "Bob" }, S), S);
    expect(plain.actor.ratings).toBeUndefined();
  });

  it("refuses a token whose ratings claim is malformed or past its bound (bad claims), naming why", async () => {
    const tooMany = Object.fromEntries(Array.from({ length: MAX_TOKEN_RATINGS + 1 }, (_, i) => [`r${i}`, i]));
    for (const [ratings, why] of [
      [[1500], "must be an object"],
      ["1500", "must be an object"],
      [null, "must be an object"],
      [{ mmr: "1500" }, '"mmr" must be a finite number'],
      [{ mmr: null }, '"mmr" must be a finite number'],
      [{ "mm r": 1 }, "names must be"],
      [{ ["x".repeat(65)]: 1 }, "names must be"],
      [tooMany, `at most ${MAX_TOKEN_RATINGS}`],
    ] as const) {
      const r = await refusal(hs256({ sub: "carol", ratings }));
      expect(r?.slice(0, 2)).toEqual(["UNAUTHENTICATED", "bad claims"]);
      expect(r?.[2]).toContain(why);
    }
  });
});
