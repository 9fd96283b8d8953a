import { webcrypto } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { ErrorCode, MatchmakerError } from "../domain/errors.js";
import type { Actor } from "../domain/game.js";
import { PLAYER_ID_PATTERN } from "../domain/ids.js";
import { isUsableRating, KEY_SAFE } from "../domain/tickets/ticket.js";

export const ADMIN_ROLE = "admin";
const ALGORITHM = "HS256";
const PLAYER_ID = PLAYER_ID_PATTERN;

export interface JwtSettings {
  secret: string;
  issuer: string | null;
}

const key = (secret: string) => new TextEncoder().encode(secret);

/**
 * Verification keys, imported once per secret. jose 6 re-imports a Uint8Array (or a KeyObject)
 * secret through WebCrypto on every verify; a CryptoKey it uses as it is, which makes a
 * verification 2–3× faster (docs/performance.md). A handful of secrets at most (one
 * per process, a few in tests).
 */
const KEYS_MAX = 8;
const keys = new Map<string, Promise<webcrypto.CryptoKey>>();

function verificationKey(secret: string): Promise<webcrypto.CryptoKey> {
  let k = keys.get(secret);
  if (!k) {
    k = webcrypto.subtle.importKey("raw", key(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    // A failed import (an empty secret) is not kept: it throws again, as jose would, next time.
    const mine = k;
    mine.catch(() => keys.get(secret) === mine && keys.delete(secret));
    if (keys.size >= KEYS_MAX) keys.delete(keys.keys().next().value!);
    keys.set(secret, k);
  }
  return k;
}

/**
 * Tokens that verified, each until its `exp`, most recently used last: verifying an HS256 token
 * (WebCrypto HMAC, then the claims) costs about a third of a trivial request, and a client sends
 * the same token with every request. At most VERIFIED_TOKENS_MAX entries (across secrets); the
 * least recently used goes first. Only successes are kept: a refused token is checked afresh
 * every time (so an attacker cannot fill the cache with forged tokens either).
 */
export const VERIFIED_TOKENS_MAX = 10_000;

/** Longest token read, in characters: room for a full ratings claim; a longer one is refused unread. */
export const MAX_TOKEN_CHARS = 8_192;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/**
 * An HS256 signature as it is written: 32 bytes in 43 base64url characters, the last one's two
 * unused bits zero. jose also accepts other spellings of the same bytes (padding, whitespace, other last
 * characters): each would be a cache entry of its own, so one token could fill the cache.
 */
const HS256_SIGNATURE = /\.[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;
const NOT_A_JWT = "it is not a JWT (three base64url parts separated by dots)";

interface Verified {
  actor: Actor;
  /** The token's `exp` claim (seconds). */
  exp: number;
  /** The settings it verified under: the same token under another secret or issuer is verified afresh. */
  secret: string;
  issuer: string | null;
}

const verified = new Map<string, Verified>();

/** How many verified tokens are remembered (tests). */
export const verifiedTokenCount = (): number => verified.size;

/** Forgets every verified token (tests). */
export function clearVerifiedTokens(): void {
  verified.clear();
}

function remember(token: string, entry: Verified): void {
  verified.delete(token);
  if (verified.size >= VERIFIED_TOKENS_MAX) verified.delete(verified.keys().next().value!);
  verified.set(token, entry);
}

/** Callers get their own copies: nothing they do to a session can change the cached one. */
const sessionOf = (v: Verified): Session => ({ actor: { ...v.actor }, expiresAt: v.exp * 1_000 });

/** Why a token was refused, short enough for a WebSocket close reason (at most 123 bytes). */
export type TokenRefusal = "expired" | "bad signature" | "not a JWT" | "wrong algorithm" | "bad claims";

const unauthenticated = (reason: TokenRefusal, why: string) =>
  new MatchmakerError(ErrorCode.UNAUTHENTICATED, `Your token was refused: ${why}. Sign in again to get a new one.`, { reason });

/** Who a token names, and until when (epoch ms): a connection that outlives it must stop acting on it. */
export interface Session {
  actor: Actor;
  expiresAt: number;
}

/**
 * Verifies an HS256 player token (`sub`, `name`, optional `roles`) and returns who it names.
 * Throws UNAUTHENTICATED naming the reason (expired, bad signature, missing claims).
 */
export async function verifyToken(token: string, settings: JwtSettings): Promise<Actor> {
  return (await verifySession(token, settings)).actor;
}

/**
 * verifyToken, with the token's expiry. Throws as verifyToken. A token that verified before under
 * the same secret and issuer is answered from memory until its `exp` — refused from the very
 * moment jose would refuse it (the same rule: expired once exp ≤ the current second).
 */
export async function verifySession(token: string, settings: JwtSettings): Promise<Session> {
  if (token.length > MAX_TOKEN_CHARS || !TOKEN_SHAPE.test(token)) throw unauthenticated("not a JWT", NOT_A_JWT);
  const hit = verified.get(token);
  if (hit) {
    if (hit.secret === settings.secret && hit.issuer === (settings.issuer ?? null) && hit.exp > Math.floor(Date.now() / 1_000)) {
      // Most recently used last.
      verified.delete(token);
      verified.set(token, hit);
      return sessionOf(hit);
    }
    // Expired (jose refuses it below), or verified under other settings (verified afresh).
    verified.delete(token);
  }
  let payload;
  try {
    ({ payload } = await jwtVerify(token, await verificationKey(settings.secret), {
      algorithms: [ALGORITHM],
      // A token without an expiry would be valid forever.
      requiredClaims: ["exp"],
      ...(settings.issuer ? { issuer: settings.issuer } : {}),
    }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw unauthenticated("expired", "it has expired");
    if (err instanceof joseErrors.JWTClaimValidationFailed) throw unauthenticated("bad claims", err.message);
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
      throw unauthenticated("bad signature", "its signature does not match this server's secret (it was signed with another JWT_SECRET)");
    }
    if (err instanceof joseErrors.JOSEAlgNotAllowed) throw unauthenticated("wrong algorithm", "it is not signed with HS256");
    throw unauthenticated("not a JWT", NOT_A_JWT);
  }
  if (!HS256_SIGNATURE.test(token)) throw unauthenticated("bad signature", "its signature is not written as an HS256 signature is");
  const { sub, name, roles, ratings } = payload as { sub?: unknown; name?: unknown; roles?: unknown; ratings?: unknown };
  if (typeof sub !== "string" || !PLAYER_ID.test(sub)) throw unauthenticated("bad claims", `"sub" must match ${PLAYER_ID}`);
  const admin = Array.isArray(roles) && roles.includes(ADMIN_ROLE);
  const actor: Actor = { id: sub, name: typeof name === "string" && name.trim() ? name.trim().slice(0, 64) : sub, admin };
  const rated = ratingsClaim(ratings);
  // jose has checked exp (required, a number, in the future).
  const exp = Number(payload.exp);
  if (rated) {
    actor.ratings = rated;
    actor.ratingsUntil = exp * 1_000;
  }
  const entry: Verified = { actor, exp, secret: settings.secret, issuer: settings.issuer ?? null };
  remember(token, entry);
  return sessionOf(entry);
}

/** Most entries of a token's `ratings` claim. */
export const MAX_TOKEN_RATINGS = 32;

/**
 * The usable part of a `ratings` claim: its entries whose name is key-safe (as a queue's rating
 * attribute) and whose value is a usable rating (isUsableRating), frozen; undefined when none, or when the claim has
 * more than MAX_TOKEN_RATINGS entries (which of them to keep would depend on the key order
 * JavaScript gives an object, number-like names first, not on the claim as written).
 * Other entries are passed over, not refused: a login service may already put other things there
 * (an OpenSkill { mu, sigma }, say), and a queue that needs a rating its token lacks says so.
 */
function ratingsClaim(raw: unknown): Readonly<Record<string, number>> | undefined {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return undefined;
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > MAX_TOKEN_RATINGS) return undefined;
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  let n = 0;
  for (const [k, v] of entries) {
    if (!KEY_SAFE.test(k) || typeof v !== "number" || !isUsableRating(v)) continue;
    out[k] = v;
    n++;
  }
  return n === 0 ? undefined : Object.freeze(out);
}

export interface TokenClaims {
  sub: string;
  name: string;
  admin?: boolean;
  /** Ratings by attribute (the `ratings` claim), for queues that take them from tokens. */
  ratings?: Readonly<Record<string, number>>;
  /** jose duration string, e.g. "12h". */
  expiresIn?: string;
}

/** Signs a token as a login service would; used by `matchmaker token` and the tests. */
export async function signToken(claims: TokenClaims, settings: JwtSettings): Promise<string> {
  const jwt = new SignJWT({ name: claims.name, roles: claims.admin ? [ADMIN_ROLE] : [], ...(claims.ratings ? { ratings: { ...claims.ratings } } : {}) })
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? "12h");
  if (settings.issuer) jwt.setIssuer(settings.issuer);
  return jwt.sign(key(settings.secret));
}

/** Accepts "Bearer <token>" or a bare token; null when absent. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== "string" || header.trim() === "") return null;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return (m ? m[1]! : header).trim();
}
