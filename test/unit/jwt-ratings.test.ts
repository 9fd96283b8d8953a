import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { clearVerifiedTokens, type JwtSettings, MAX_TOKEN_CHARS, MAX_TOKEN_RATINGS, signToken, verifiedTokenCount, verifySession } from "../../src/auth/jwt.js";

const S: JwtSettings = { secret: "ratings-test-secret-0123456789", issuer: null };

const EXP = Math.floor(Date.now() / 1_000) + 600;

/** An HS256 token with exactly these claims (a login service's, right or wrong). */
function hs256(claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const input = `${part({ alg: "HS256" })}.${part({ exp: EXP, ...claims })}`;
  return `${input}.${createHmac("sha256", S.secret).update(input).digest("base64url")}`;
}

describe("the ratings claim of a player token", () => {
  it("gives the actor the studio's ratings, frozen, and none when the claim is absent", async () => {
    const { actor } = await verifySession(await signToken({ sub: "alice", name: "Alice", ratings: { mmr: 1540, "duel-elo": 1210.5 } }, S), S);
    expect(actor.ratings).toEqual({ mmr: 1540, "duel-elo": 1210.5 });
    expect(Object.isFrozen(actor.ratings)).toBe(true);
    const plain = await verifySession(await signToken({ sub: "bob", name: "Bob" }, S), S);
    expect(plain.actor.ratings).toBeUndefined();
  });

  it("takes only usable entries of a claim shaped otherwise, none of a claim over 32 entries, and never refuses the token for it", async () => {
    const full = Object.fromEntries(Array.from({ length: MAX_TOKEN_RATINGS }, (_, i) => [`r${i}`, i]));
    // Over the bound, whatever the entries: which to keep would follow JavaScript's key order (number-like names first).
    const over = { ...full, 2025: 1, mmr: 1500 };
    for (const [ratings, kept] of [
      [[1500], undefined],
      ["1500", undefined],
      [null, undefined],
      [{ mmr: { mu: 25, sigma: 8.3 }, elo: 1500 }, { elo: 1500 }],
      [{ mmr: "1500", "mm r": 1, ["x".repeat(65)]: 2, ok: -3.5 }, { ok: -3.5 }],
      [{ mmr: null }, undefined],
      [{ mmr: 1e308, elo: 1e9 }, { elo: 1e9 }],
      [full, full],
      [over, undefined],
    ] as const) {
      const { actor } = await verifySession(hs256({ sub: "carol", ratings }), S);
      expect(actor.id).toBe("carol");
      expect(actor.ratings === undefined ? undefined : { ...actor.ratings }).toEqual(kept);
      // Ratings count while their token is good: a party keeps them no longer than that.
      expect(actor.ratingsUntil).toBe(kept === undefined ? undefined : EXP * 1_000);
    }
  });
});

describe("the spelling of a player token", () => {
  it("verifies one spelling of a token only, so respelled copies cannot fill the verified-token cache", async () => {
    clearVerifiedTokens();
    const token = await signToken({ sub: "mallory", name: "Mallory" }, S);
    await verifySession(token, S);
    const [h, p, sig] = token.split(".") as [string, string, string];
    // The same signature bytes, as lenient base64url decoding would take them.
    // The last character carries two unused bits: its neighbour shares its first four.
    const other = String.fromCharCode(sig.charCodeAt(sig.length - 1) + 1);
    const respelled = [`${token}=`, `${h}.${p}.${sig.slice(0, 10)} ${sig.slice(10)}`, `${h}.${p}.${sig.slice(0, -1)}${other}`, ` ${token}`, `${token}${" ".repeat(100_000)}`];
    for (const t of respelled) {
      await expect(verifySession(t, S)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    }
    expect(verifiedTokenCount()).toBe(1);
    const long = await signToken({ sub: "mallory", name: "x".repeat(MAX_TOKEN_CHARS) }, S);
    await expect(verifySession(long, S)).rejects.toMatchObject({ details: { reason: "not a JWT" } });
    expect((await verifySession(token, S)).actor.id).toBe("mallory");
  });
});
