import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
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
}
