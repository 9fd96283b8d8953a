/** The player token the page acts with: pasted by the player, kept in this browser's localStorage. */

export const TOKEN_KEY = "matchmaker.token";

export function loadToken(): string {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? "";
  } catch {
    return ""; // storage disabled: the token lasts as long as the page
  }
}

export function saveToken(token: string): void {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage disabled or full: keep it in memory only
  }
}

/** What a token says about its bearer. Read without verifying: only the server can tell if it is valid. */
export type TokenInfo =
  | { ok: true; sub: string; name: string; admin: boolean; expiresAt: number | null; issuer: string | null }
  | { ok: false; reason: string };

const base64UrlDecode = (part: string): string => {
  const b64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
};

/** Decodes a JWT's payload client-side (no signature check) to show whom it names and until when. */
export function decodeToken(token: string): TokenInfo {
  const parts = token.trim().replace(/^Bearer\s+/i, "").split(".");
  if (parts.length !== 3) return { ok: false, reason: "not a JWT (three base64url parts separated by dots)" };
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(base64UrlDecode(parts[1]!)) as Record<string, unknown>;
  } catch {
    return { ok: false, reason: "its payload is not base64url-encoded JSON" };
  }
  if (typeof payload !== "object" || payload === null) return { ok: false, reason: "its payload is not a JSON object" };
  const sub = payload.sub;
  if (typeof sub !== "string" || sub === "") return { ok: false, reason: 'it names nobody (no "sub" claim)' };
  const name = typeof payload.name === "string" && payload.name.trim() ? payload.name.trim() : sub;
  const roles = Array.isArray(payload.roles) ? payload.roles : [];
  return {
    ok: true,
    sub,
    name,
    admin: roles.includes("admin"),
    expiresAt: typeof payload.exp === "number" ? payload.exp * 1_000 : null,
    issuer: typeof payload.iss === "string" ? payload.iss : null,
  };
}

/** The token as sent: without a pasted "Bearer " prefix and blanks. */
export const normalizeToken = (token: string) => token.trim().replace(/^Bearer\s+/i, "");
