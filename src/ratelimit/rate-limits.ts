import type { Redis } from "ioredis";
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { ErrorCode, MatchmakerError } from "../domain/errors.js";
import type { Actor } from "../domain/game.js";

/** So many points per so many seconds (a fixed window); null: no limit. */
export type Budget = { points: number; seconds: number } | null;

/** What a player spends their own budgets on; each has a variable (RATE_LIMIT_<ACTION>). */
export type PlayerAction = "create" | "quickJoin" | "join" | "update" | "party";

export interface RateLimitConfig {
  enabled: boolean;
  perPlayer: Record<PlayerAction, Budget>;
  /** Wrong join codes (joinGameByCode, joinGame with a code), per player and per address. */
  wrongCodesPerPlayer: Budget;
  wrongCodesPerAddress: Budget;
  /** Every mutation from one address, whoever's token it carries. */
  mutationsPerAddress: Budget;
  /** Every operation from one address (queries too, anonymous ones included). */
  operationsPerAddress: Budget;
  /** Subscriptions started from one address. */
  subscriptionsPerAddress: Budget;
}

const WHAT: Record<PlayerAction | "wrongCodes" | "mutations" | "operations" | "subscriptions", string> = {
  create: "games created",
  quickJoin: "quickJoin calls",
  join: "joins and leaves",
  update: "game updates and deletions",
  party: "party changes",
  wrongCodes: "wrong join codes",
  mutations: "changes from your address",
  operations: "requests from your address",
  subscriptions: "subscriptions started from your address",
};

/** Who spends: a player (by token) and the address the request came from. */
export interface Spender {
  actor: Actor | null;
  /** Game servers (their serverSecret as token) are not limited: they speak for many players. */
  gameServerTypes?: readonly string[];
  clientAddress?: string;
}

/** RATE_LIMITED with the seconds after which the same call is taken again. */
export function rateLimited(what: string, msBeforeNext: number): MatchmakerError {
  const retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1_000));
  return new MatchmakerError(ErrorCode.RATE_LIMITED, `Too many ${what}; try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
}

/**
 * The rate limits, shared by every API process through Redis (memory in embedded mode), on
 * rate-limiter-flexible. Keys are a player id (at most 128 characters, JWT `sub`) or a client
 * address (at most 64), under `<prefix>:rl:`, so nothing a client sends grows them unbounded.
 * Admins and game servers are not limited. When Redis itself fails, a limit lets the call
 * through: the call then meets the same Redis and fails BACKEND_UNAVAILABLE on its own.
 */
export function createRateLimits(config: RateLimitConfig, backend: { redis: Redis; prefix: string } | null) {
  const make = (name: string, b: Budget): RateLimiterAbstract | null => {
    if (!config.enabled || b === null) return null;
    const opts = { keyPrefix: backend ? `${backend.prefix}:rl:${name}` : name, points: b.points, duration: b.seconds };
    // A key that spent its budget is answered from memory until the window ends: no Redis call for a flood.
    return backend ? new RateLimiterRedis({ ...opts, storeClient: backend.redis, inMemoryBlockOnConsumed: b.points }) : new RateLimiterMemory(opts);
  };
  const perPlayer = Object.fromEntries(
    (Object.keys(config.perPlayer) as PlayerAction[]).map((a) => [a, make(`player:${a}`, config.perPlayer[a])]),
  ) as Record<PlayerAction, RateLimiterAbstract | null>;
  const wrongPlayer = make("wrong-code:player", config.wrongCodesPerPlayer);
  const wrongAddress = make("wrong-code:address", config.wrongCodesPerAddress);
  const mutations = make("mutations:address", config.mutationsPerAddress);
  const operations = make("operations:address", config.operationsPerAddress);
  const subscriptions = make("subscriptions:address", config.subscriptionsPerAddress);

  const exempt = (s: Spender) => s.actor?.admin === true || (s.gameServerTypes?.length ?? 0) > 0;

  /** Takes one point from each (limiter, key); the first refusal wins. */
  async function consume(what: string, pairs: [RateLimiterAbstract | null, string | undefined][]): Promise<void> {
    const due = pairs.filter((p): p is [RateLimiterAbstract, string] => p[0] !== null && p[1] !== undefined);
    const outcomes = await Promise.allSettled(due.map(([l, k]) => l.consume(k)));
    for (const o of outcomes) if (o.status === "rejected" && o.reason instanceof RateLimiterRes) throw rateLimited(what, o.reason.msBeforeNext);
  }

  /** Refuses when any (limiter, key) has no point left, without spending one. */
  async function assertLeft(what: string, pairs: [RateLimiterAbstract | null, string | undefined][]): Promise<void> {
    for (const [l, k] of pairs) {
      if (!l || k === undefined) continue;
      const res = await l.get(k).catch(() => null);
      if (res && res.consumedPoints >= l.points) throw rateLimited(what, res.msBeforeNext);
    }
  }

  return {
    /** A player's call of `action`: their own budget and their address's mutation budget. */
    async spend(action: PlayerAction, s: Spender): Promise<void> {
      if (exempt(s) || !s.actor) return;
      await Promise.all([consume(WHAT[action], [[perPlayer[action], s.actor.id]]), consume(WHAT.mutations, [[mutations, s.clientAddress]])]);
    },

    /** Any operation, before it runs (HTTP and graphql-ws). */
    async operation(s: Spender): Promise<void> {
      if (exempt(s)) return;
      await consume(WHAT.operations, [[operations, s.clientAddress]]);
    },

    /** A subscription about to start. */
    async subscription(s: Spender): Promise<void> {
      if (exempt(s)) return;
      await consume(WHAT.subscriptions, [[subscriptions, s.clientAddress]]);
    },

    /** Before a join code is tried: refused while the player or address has used up their wrong guesses. */
    async beforeCode(s: Spender): Promise<void> {
      if (exempt(s)) return;
      await assertLeft(WHAT.wrongCodes, [[wrongPlayer, s.actor?.id], [wrongAddress, s.clientAddress]]);
    },

    /** A join code turned out wrong: one guess spent. Never throws. */
    async wrongCode(s: Spender): Promise<void> {
      if (exempt(s)) return;
      await consume(WHAT.wrongCodes, [[wrongPlayer, s.actor?.id], [wrongAddress, s.clientAddress]]).catch(() => undefined);
    },
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
