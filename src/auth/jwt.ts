import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { ErrorCode, MatchmakerError } from "../domain/errors.js";
import type { Actor } from "../domain/game.js";
import { PLAYER_ID_PATTERN } from "../domain/ids.js";

export const ADMIN_ROLE = "admin";
const ALGORITHM = "HS256";
const PLAYER_ID = PLAYER_ID_PATTERN;

export interface JwtSettings {
  secret: string;
  issuer: string | null;
}

const key = (secret: string) => new TextEncoder().encode(secret);

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

/** verifyToken, with the token's expiry. Throws as verifyToken. */
export async function verifySession(token: string, settings: JwtSettings): Promise<Session> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, key(settings.secret), {
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
    throw unauthenticated("not a JWT", "it is not a JWT (three base64url parts separated by dots)");
  }
  const { sub, name, roles } = payload as { sub?: unknown; name?: unknown; roles?: unknown };
  if (typeof sub !== "string" || !PLAYER_ID.test(sub)) throw unauthenticated("bad claims", `"sub" must match ${PLAYER_ID}`);
  const admin = Array.isArray(roles) && roles.includes(ADMIN_ROLE);
  const actor = { id: sub, name: typeof name === "string" && name.trim() ? name.trim().slice(0, 64) : sub, admin };
  return { actor, expiresAt: Number(payload.exp) * 1_000 };
}

export interface TokenClaims {
  sub: string;
  name: string;
  admin?: boolean;
  /** jose duration string, e.g. "12h". */
  expiresIn?: string;
}

/** Signs a token as a login service would; used by `matchmaker token` and the tests. */
export async function signToken(claims: TokenClaims, settings: JwtSettings): Promise<string> {
  const jwt = new SignJWT({ name: claims.name, roles: claims.admin ? [ADMIN_ROLE] : [] })
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
