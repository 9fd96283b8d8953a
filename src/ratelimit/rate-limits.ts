import type { RedisClient } from "../redis/client.js";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { ReservingLimiter } from "./reserving-limiter.js";
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

/** What the limits need of a limiter: rate-limiter-flexible's own, or one taking reserves of it. */
interface Limiter {
  readonly points: number;
  /** Rejects with a RateLimiterRes when the key's budget is spent. */
  consume(key: string): Promise<unknown>;
  reward(key: string, points?: number): Promise<unknown>;
}

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
export function createRateLimits(config: RateLimitConfig, backend: { redis: RedisClient; prefix: string } | null) {
  const make = (name: string, b: Budget, { reserve = false } = {}): Limiter | null => {
    if (!config.enabled || b === null) return null;
    const opts = { keyPrefix: backend ? `${backend.prefix}:rl:${name}` : name, points: b.points, duration: b.seconds };
    if (!backend) return new RateLimiterMemory(opts);
    // A key that spent its budget is answered from memory until the window ends: no Redis call for a flood.
    const shared = new RateLimiterRedis({ ...opts, storeClient: backend.redis, inMemoryBlockOnConsumed: b.points });
    // Large per-address budgets, never refunded, are taken in reserves: not one Redis call per request.
    return reserve ? new ReservingLimiter(shared) : shared;
  };
  const perPlayer = Object.fromEntries(
    (Object.keys(config.perPlayer) as PlayerAction[]).map((a) => [a, make(`player:${a}`, config.perPlayer[a])]),
  ) as Record<PlayerAction, Limiter | null>;
  const wrongPlayer = make("wrong-code:player", config.wrongCodesPerPlayer);
  const wrongAddress = make("wrong-code:address", config.wrongCodesPerAddress);
  const mutations = make("mutations:address", config.mutationsPerAddress, { reserve: true });
  const operations = make("operations:address", config.operationsPerAddress, { reserve: true });
  const subscriptions = make("subscriptions:address", config.subscriptionsPerAddress, { reserve: true });

  const exempt = (s: Spender) => s.actor?.admin === true || (s.gameServerTypes?.length ?? 0) > 0;

  type Pair = [Limiter | null, string | undefined];
  const live = (pairs: Pair[]) => pairs.filter((p): p is [Limiter, string] => p[0] !== null && p[1] !== undefined);
  /** Gives back one point to each (limiter, key). Never throws. */
  const refund = (pairs: [Limiter, string][]) => Promise.all(pairs.map(([l, k]) => l.reward(k, 1).catch(() => undefined)));

  /**
   * Takes one point from each (limiter, key), all or none: when one refuses, the others get
   * theirs back, and the call is RATE_LIMITED. Returns what was taken (for a later refund).
   */
  async function consume(what: string, pairs: Pair[]): Promise<[Limiter, string][]> {
    const due = live(pairs);
    const outcomes = await Promise.allSettled(due.map(([l, k]) => l.consume(k)));
    const refused = outcomes.findIndex((o) => o.status === "rejected" && o.reason instanceof RateLimiterRes);
    if (refused >= 0) {
      await refund(due.filter((_, i) => outcomes[i]!.status === "fulfilled"));
      throw rateLimited(what, ((outcomes[refused] as PromiseRejectedResult).reason as RateLimiterRes).msBeforeNext);
    }
    return due.filter((_, i) => outcomes[i]!.status === "fulfilled");
  }

  return {
    /** A player's call of `action`: their own budget and their address's mutation budget. */
    async spend(action: PlayerAction, s: Spender): Promise<void> {
      if (exempt(s) || !s.actor) return;
      // Own budget first: a player past theirs does not spend their address's.
      await consume(WHAT[action], [[perPlayer[action], s.actor.id]]);
      await consume(WHAT.mutations, [[mutations, s.clientAddress]]);
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

    /**
     * Spends a guess before a join code is tried (so concurrent guesses cannot overspend):
     * RATE_LIMITED once the player's or the address's wrong guesses are used up. Resolves to
     * the refund for a guess that was not wrong (the code was right, or the join failed for
     * another reason).
     */
    async guess(s: Spender): Promise<() => Promise<void>> {
      if (exempt(s)) return async () => {};
      const taken = await consume(WHAT.wrongCodes, [[wrongPlayer, s.actor?.id], [wrongAddress, s.clientAddress]]);
      return async () => void (await refund(taken));
    },
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
