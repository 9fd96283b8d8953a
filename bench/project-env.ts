/**
 * The environment a bench gives the project's API process: production as shipped, the sample
 * catalog, clients behind one trusted proxy hop (so each can send its own X-Forwarded-For and
 * the shipped per-address budgets apply without being reached), and — on Redis (BENCH_REDIS_URL)
 * — keys under a prefix of the process. Imports nothing, so a forked bench server can build it
 * before (or without) loading the project's modules.
 */
export function projectBenchEnv(opts: { secret: string; prefix: string; redisUrl?: string; overrides?: Record<string, string> }): Record<string, string> {
  const { secret, prefix, redisUrl, overrides } = opts;
  return {
    NODE_ENV: "production",
    JWT_SECRET: secret,
    LOG_LEVEL: "silent",
    ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, EVENT_STREAM_KEY: `${prefix}:stream` } : {}),
    // The repository's sample catalog (npm run bench runs from its root).
    MATCHMAKER_GAME_TYPES: "catalog/game-types.yaml",
    TRUST_PROXY_HOPS: "1",
    // A saturated process can take longer than the shipped 1 s fail-fast timeout to read a
    // reply; throughput, not fail-fast, is measured.
    REDIS_COMMAND_TIMEOUT_MS: "30000",
    ...overrides,
  };
}

/** Every per-player budget out of reach: bench loops reuse a few players far faster than a person would. */
export const ROOMY_PLAYERS: Record<string, string> = Object.fromEntries(
  ["CREATE", "QUICK_JOIN", "JOIN", "UPDATE", "PARTY", "WRONG_CODES"].map((n) => [`RATE_LIMIT_${n}`, "9999999/60"]),
);
