import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import type { QueueConfig } from "../domain/tickets/queue.js";
import { MatchQueue, type ReasonCount } from "./ticket.type.js";
import type { GqlContext } from "./context.js";
import { GameType } from "./game-type.type.js";
import { toGameType } from "./mappers.js";

@Resolver(() => GameType)
export class GameTypeResolver {
  @Query(() => [GameType])
  gameTypes(@Ctx() ctx: GqlContext): GameType[] {
    return ctx.service.gameTypes().map(toGameType);
  }

  @Query(() => GameType, { nullable: true })
  gameType(@Arg("id", () => ID) id: string, @Ctx() ctx: GqlContext): GameType | null {
    const t = ctx.service.gameType(id);
    return t ? toGameType(t) : null;
  }

  @FieldResolver(() => [MatchQueue], { description: "Its ticket matchmaking queues (enqueueMatchTicket), with how many search now." })
  async queues(@Root() t: GameType, @Ctx() ctx: GqlContext): Promise<MatchQueue[]> {
    return (await ctx.service.matchQueues(t.id)).map(({ queue, waiting, estimatedWaitMs, waits, activity }) => ({
      id: queue.id,
      layout: layoutOf(queue),
      ratingAttribute: queue.rating.attribute,
      maxWaitSeconds: queue.maxWaitMs / 1_000,
      waiting,
      estimatedWaitSeconds: estimatedWaitMs === null ? null : estimatedWaitMs / 1_000,
      timeToMatch: waits && {
        samples: waits.count,
        p50Seconds: waits.p50 / 1_000,
        p90Seconds: waits.p90 / 1_000,
        p99Seconds: waits.p99 / 1_000,
        maxSeconds: waits.max / 1_000,
      },
      recent: {
        minutes: activity.minutes,
        matched: activity.matched,
        timedOut: activity.timedOut,
        cancelled: activity.cancelled,
        timeouts: counts(activity.timeouts),
        cancels: counts(activity.cancels),
        ruleFailures: counts(activity.ruleFailures),
      },
    }));
  }
}

/** Most frequent first, then by name (a stable order for readers). */
const counts = (byReason: Record<string, number>): ReasonCount[] =>
  Object.entries(byReason)
    .filter(([, n]) => n > 0)
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1));

const layoutOf = (q: QueueConfig): string =>
  q.teams.kind === "teams" ? `${q.teams.count} × ${q.teams.size}` : `group of ${q.teams.minPlayers}–${q.teams.maxPlayers}`;
