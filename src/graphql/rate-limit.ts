import { type ResolverData, UseMiddleware } from "type-graphql";
import type { PlayerAction } from "../ratelimit/rate-limits.js";
import { isWrongJoinCode } from "../store/store-errors.js";
import type { GqlContext } from "./context.js";

/**
 * Spends one point of the caller's `action` budget (and of their address's mutation budget)
 * per call — per alias too, so one request cannot multiply a mutation past its budget.
 * Runs after @Authorized; refusals are RATE_LIMITED with retryAfterSeconds.
 */
export function RateLimited(action: PlayerAction) {
  return UseMiddleware(async ({ context }: ResolverData<GqlContext>, next) => {
    await context.limits.spend(action, context);
    return next();
  });
}

/**
 * For calls that take a join code (`code` or `joinCode`): each try spends one of the caller's
 * (and their address's) wrong guesses up front, given back unless the code was wrong.
 */
export function GuessLimited() {
  return UseMiddleware(async ({ context, args }: ResolverData<GqlContext>, next) => {
    const code = (args as { code?: unknown; joinCode?: unknown }).code ?? (args as { joinCode?: unknown }).joinCode;
    if (code == null) return next();
    const refund = await context.limits.guess(context);
    try {
      const result = await next();
      await refund();
      return result;
    } catch (err) {
      if (!isWrongJoinCode(err)) await refund();
      throw err;
    }
  });
}
