/**
 * Where graphql-ws clients put a token in `connectionParams`, as popular clients and guides do:
 * `{ authorization }` or `{ Authorization }` (a header value, "Bearer <token>" or the bare
 * token), `{ headers: { authorization } }` (Apollo Client guides), `{ authToken }` or
 * `{ token }`. Absent everywhere: anonymous. A key that looks meant for a token but is none of
 * these is refused rather than silently ignored.
 */
export const ACCEPTED_TOKEN_PARAMS = ["authorization", "Authorization", "headers.authorization", "headers.Authorization", "authToken", "token"] as const;

export type TokenParam = { token: unknown } | { unreadKey: string };

const get = (o: unknown, key: string): unknown => (typeof o === "object" && o !== null ? (o as Record<string, unknown>)[key] : undefined);

/** The token value (maybe undefined: anonymous), or the key that looked like one but is not read. Never throws. */
export function tokenParam(params: Readonly<Record<string, unknown>> | undefined): TokenParam {
  if (!params) return { token: undefined };
  for (const path of ACCEPTED_TOKEN_PARAMS) {
    const [a, b] = path.split(".") as [string, string | undefined];
    const v = b === undefined ? get(params, a) : get(get(params, a), b);
    if (v !== undefined && v !== null && v !== "") return { token: v };
  }
  const unread = Object.keys(params).find((k) => /auth|token|jwt|bearer/i.test(k));
  return unread === undefined ? { token: undefined } : { unreadKey: unread.slice(0, 40) };
}
