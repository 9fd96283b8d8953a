import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clearVerifiedTokens, type JwtSettings, signToken, VERIFIED_TOKENS_MAX, verifiedTokenCount, verifySession } from "../../src/auth/jwt.js";
import { ErrorCode, MatchmakerError } from "../../src/domain/errors.js";

const A: JwtSettings = { secret: "cache-test-secret-a-0123456789", issuer: null };
const B: JwtSettings = { secret: "cache-test-secret-b-0123456789", issuer: null };
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0, 0);

/** An HS256 token signed by hand (fast enough for thousands), with the given claims. */
function hs256(claims: Record<string, unknown>, secret: string): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const input = `${part({ alg: "HS256" })}.${part(claims)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

/** How verifySession answers: the session, or the refusal's reason. */
async function outcome(token: string, settings: JwtSettings): Promise<{ ok: string } | { refused: unknown }> {
  try {
    return { ok: (await verifySession(token, settings)).actor.id };
  } catch (err) {
    expect(err).toBeInstanceOf(MatchmakerError);
    expect((err as MatchmakerError).code).toBe(ErrorCode.UNAUTHENTICATED);
    return { refused: (err as MatchmakerError).details?.reason };
  }
}

/** Signature checks jose makes (WebCrypto HMAC verify), to tell a cache hit from a verification. */
const signatureChecks = () => vi.spyOn(globalThis.crypto.subtle, "verify");

describe("verified-token cache", () => {
  beforeEach(() => {
    clearVerifiedTokens();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("answers a token it verified from memory, with the same session, and a copy each time", async () => {
    const token = await signToken({ sub: "alice", name: "Alice", admin: true, expiresIn: "1h" }, A);
    const first = await verifySession(token, A);
    const checks = signatureChecks();
    const second = await verifySession(token, A);
    expect(checks).not.toHaveBeenCalled();
    expect(second).toEqual(first);
    expect(second).toEqual({ actor: { id: "alice", name: "Alice", admin: true }, expiresAt: T0 + 3_600_000 });
    second.actor.name = "Mallory";
    expect((await verifySession(token, A)).actor.name).toBe("Alice");
  });

  it("refuses a cached token from its exp on, at the same moment as an uncached verification", async () => {
    const token = await signToken({ sub: "alice", name: "Alice", expiresIn: "10s" }, A);
    const exp = T0 / 1_000 + 10;
    expect(await outcome(token, A)).toEqual({ ok: "alice" });
    const cold = async () => {
      clearVerifiedTokens();
      return outcome(token, A);
    };
    for (const at of [exp * 1_000 - 1_000, exp * 1_000 - 1]) {
      vi.setSystemTime(at);
      const checks = signatureChecks();
      expect(await outcome(token, A)).toEqual({ ok: "alice" }); // from the cache
      expect(checks).not.toHaveBeenCalled();
      checks.mockRestore();
      expect(await cold()).toEqual({ ok: "alice" });
    }
    vi.setSystemTime(exp * 1_000);
    expect(await outcome(token, A)).toEqual({ refused: "expired" });
    expect(await cold()).toEqual({ refused: "expired" });
    expect(verifiedTokenCount()).toBe(0);
  });

  it("follows jose's rule for a fractional exp too (refused once the current second reaches it)", async () => {
    const exp = T0 / 1_000 + 5.5;
    const token = hs256({ sub: "bob", name: "Bob", exp }, A.secret);
    expect(await outcome(token, A)).toEqual({ ok: "bob" });
    vi.setSystemTime(T0 + 5_999);
    expect(await outcome(token, A)).toEqual({ ok: "bob" });
    vi.setSystemTime(T0 + 6_000);
    expect(await outcome(token, A)).toEqual({ refused: "expired" });
  });

  it("never accepts a token signed with another secret, whatever is cached", async () => {
    const mine = await signToken({ sub: "alice", name: "Alice" }, A);
    const theirs = await signToken({ sub: "alice", name: "Alice" }, B);
    expect(await outcome(mine, A)).toEqual({ ok: "alice" });
    for (let i = 0; i < 3; i++) expect(await outcome(theirs, A)).toEqual({ refused: "bad signature" });
    // The same claims, the same header, another signature: another string, never a hit.
    const forged = `${mine.slice(0, mine.lastIndexOf("."))}.${theirs.slice(theirs.lastIndexOf(".") + 1)}`;
    expect(await outcome(forged, A)).toEqual({ refused: "bad signature" });
    expect(verifiedTokenCount()).toBe(1);
  });

  it("keeps entries per secret and issuer: one verified under one is verified afresh under another", async () => {
    const token = await signToken({ sub: "alice", name: "Alice" }, A);
    expect(await outcome(token, A)).toEqual({ ok: "alice" });
    // Cached under A; a server with secret B must not take it.
    expect(await outcome(token, B)).toEqual({ refused: "bad signature" });
    expect(await outcome(token, { ...A, issuer: "https://login.example" })).toEqual({ refused: "bad claims" });
    expect(await outcome(token, A)).toEqual({ ok: "alice" });
    // Two secrets in one process, each with its own tokens.
    const other = await signToken({ sub: "bob", name: "Bob" }, B);
    expect(await outcome(other, B)).toEqual({ ok: "bob" });
    expect(await outcome(token, A)).toEqual({ ok: "alice" });
    expect(await outcome(other, A)).toEqual({ refused: "bad signature" });
    expect(await outcome(token, B)).toEqual({ refused: "bad signature" });
  });

  it("keeps issuer checks: a token of the right issuer is cached, one of another never accepted", async () => {
    const withIssuer: JwtSettings = { ...A, issuer: "https://login.example" };
    const good = await signToken({ sub: "alice", name: "Alice" }, withIssuer);
    const wrong = await signToken({ sub: "alice", name: "Alice" }, { ...A, issuer: "https://elsewhere.example" });
    expect(await outcome(good, withIssuer)).toEqual({ ok: "alice" });
    expect(await outcome(good, withIssuer)).toEqual({ ok: "alice" });
    expect(await outcome(wrong, withIssuer)).toEqual({ refused: "bad claims" });
    expect(await outcome(wrong, withIssuer)).toEqual({ refused: "bad claims" });
  });

  it("caches no refusal: a token not valid yet (nbf) is accepted once it is", async () => {
    const token = hs256({ sub: "carol", name: "Carol", nbf: T0 / 1_000 + 60, exp: T0 / 1_000 + 3_600 }, A.secret);
    expect(await outcome(token, A)).toEqual({ refused: "bad claims" });
    expect(await outcome(hs256({ sub: "carol", exp: T0 / 1_000 - 1 }, A.secret), A)).toEqual({ refused: "expired" });
    expect(await outcome(hs256({ sub: "bad id!", exp: T0 / 1_000 + 60 }, A.secret), A)).toEqual({ refused: "bad claims" });
    expect(await outcome("not.a.jwt", A)).toEqual({ refused: "not a JWT" });
    expect(verifiedTokenCount()).toBe(0);
    vi.setSystemTime(T0 + 60_000);
    expect(await outcome(token, A)).toEqual({ ok: "carol" });
  });

  it(`stays within ${VERIFIED_TOKENS_MAX.toLocaleString("en")} entries under 20,000 distinct tokens, dropping the least recently used`, async () => {
    const exp = T0 / 1_000 + 3_600;
    const tokens = Array.from({ length: 20_000 }, (_, i) => hs256({ sub: `p${i}`, name: `P${i}`, exp }, A.secret));
    const kept = tokens[0]!;
    for (let i = 0; i < tokens.length; i += 500) {
      await Promise.all(tokens.slice(i, i + 500).map((t) => verifySession(t, A)));
      // The first token is used all along: it is never the least recently used one.
      await verifySession(kept, A);
      expect(verifiedTokenCount()).toBeLessThanOrEqual(VERIFIED_TOKENS_MAX);
    }
    expect(verifiedTokenCount()).toBe(VERIFIED_TOKENS_MAX);
    const checks = signatureChecks();
    await verifySession(kept, A);
    await verifySession(tokens.at(-1)!, A);
    expect(checks).not.toHaveBeenCalled();
    await verifySession(tokens[1]!, A); // long evicted: verified again
    expect(checks).toHaveBeenCalledTimes(1);
    expect(verifiedTokenCount()).toBe(VERIFIED_TOKENS_MAX);
  });
});
