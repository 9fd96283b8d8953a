import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import type { QueueConfig } from "../domain/tickets/queue.js";
import { MatchQueue } from "./ticket.type.js";
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
    return (await ctx.service.matchQueues(t.id)).map(({ queue, waiting, estimatedWaitMs }) => ({
      id: queue.id,
      layout: layoutOf(queue),
      ratingAttribute: queue.rating.attribute,
      maxWaitSeconds: queue.maxWaitMs / 1_000,
      waiting,
      estimatedWaitSeconds: estimatedWaitMs === null ? null : estimatedWaitMs / 1_000,
    }));
  }
}

const layoutOf = (q: QueueConfig): string =>
  q.teams.kind === "teams" ? `${q.teams.count} × ${q.teams.size}` : `group of ${q.teams.minPlayers}–${q.teams.maxPlayers}`;
