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
 * For calls that take a join code (`code` or `joinCode`): refused while the caller's wrong
 * guesses are spent, and a wrong code spends one (per player and per address).
 */
export function GuessLimited() {
  return UseMiddleware(async ({ context, args }: ResolverData<GqlContext>, next) => {
    const code = (args as { code?: unknown; joinCode?: unknown }).code ?? (args as { joinCode?: unknown }).joinCode;
    if (code == null) return next();
    await context.limits.beforeCode(context);
    try {
      return await next();
    } catch (err) {
      if (isWrongJoinCode(err)) await context.limits.wrongCode(context);
      throw err;
    }
  });
}
