import cors from "cors";

/**
 * Which browser origins may call the API (CORS for HTTP, the `Origin` of a graphql-ws
 * upgrade): the listed ones, `*` for any, or — with none listed — localhost on any port
 * outside production and nothing in production. Requests without an Origin (game clients,
 * servers, curl) are not browsers' cross-origin calls and are not affected, and neither are
 * the API's own pages (the lobby page, GraphiQL): an Origin naming the host the request was
 * sent to (`host`, the Host header) is the same origin.
 */
export function originPolicy(listed: readonly string[], production: boolean) {
  const any = listed.includes("*");
  const exact = new Set(listed.map((o) => o.replace(/\/$/, "").toLowerCase()));
  const localhost = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;
  const allowed = (origin: string | undefined, host?: string): boolean => {
    if (origin === undefined) return true;
    if (host !== undefined && sameHost(origin, host)) return true;
    if (any || exact.has(origin.toLowerCase())) return true;
    return listed.length === 0 && !production && localhost.test(origin);
  };
  return {
    allowed,
    /** The CORS middleware for the GraphQL path: preflights answered, headers only for allowed origins. */
    middleware: cors({
      origin: (origin, done) => done(null, allowed(origin)),
      methods: ["GET", "POST", "OPTIONS"],
      allowedHeaders: ["content-type", "authorization", "apollo-require-preflight", "x-apollo-operation-name", "graphql-client-name"],
      exposedHeaders: ["retry-after"],
      // Tokens travel in the Authorization header, never in cookies.
      credentials: false,
      maxAge: 600,
    }),
  };
}

/** Whether `origin` (scheme://host[:port]) names `host` (a Host header); the scheme may differ behind a TLS-terminating proxy. */
function sameHost(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === new URL(`http://${host}`).host;
  } catch {
    return false;
  }
}
