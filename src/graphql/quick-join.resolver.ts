import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from "type-graphql";
import type { GameRecord } from "../domain/game.js";
import type { GqlContext } from "./context.js";
import { Game } from "./game.type.js";
import { PARTY_DESCRIPTION, QuickJoinInput } from "./quick-join.input.js";
import { GuessLimited, RateLimited } from "./rate-limit.js";

@Resolver()
export class QuickJoinResolver {
  @Authorized()
  @RateLimited("quickJoin")
  @Mutation(() => Game, {
    description:
      "Seats you (and your party) in the best open public game that matches, or creates one with you seated; " +
      "the answer carries the game's server access.",
  })
  quickJoin(@Arg("input", () => QuickJoinInput) input: QuickJoinInput, @Ctx() ctx: GqlContext): Promise<GameRecord> {
    return ctx.service.quickJoin(ctx.actor!, input);
  }

  @Authorized()
  @RateLimited("join")
  @GuessLimited()
  @Mutation(() => Game, { description: "Joins the private game holding this join code (any game type); a wrong code is FORBIDDEN." })
  async joinGameByCode(
    @Arg("code", () => String) code: string,
    @Arg("partyId", () => ID, { nullable: true, description: PARTY_DESCRIPTION }) partyId: string | null,
    @Ctx() ctx: GqlContext,
  ) {
    return (await ctx.service.joinGameByCode(ctx.actor!, code, partyId)).game;
  }
}
