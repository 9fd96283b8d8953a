import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Authorized } from "type-graphql";
import type { GameRecord } from "../domain/game.js";
import { isPlayer, freeSeats } from "../domain/game.js";
import type { GqlContext } from "./context.js";
import { CreateGameInput, GameFilterInput, GameSortInput, UpdateGameInput } from "./game.input.js";
import { Game, GameConnection, GameMatch, GameServerAccess, Player, Seat } from "./game.type.js";
import { GameType } from "./game-type.type.js";
import { toConnection, toGameType, toPlayer, toSeat } from "./mappers.js";
import { PARTY_DESCRIPTION } from "./quick-join.input.js";
import { GuessLimited, RateLimited } from "./rate-limit.js";

@ArgsType()
class GamesArgs {
  @Field(() => GameFilterInput, { nullable: true })
  filter?: GameFilterInput;

  @Field(() => GameSortInput, { nullable: true })
  sort?: GameSortInput;

  @Field(() => Int, { nullable: true, defaultValue: 20, description: "Page size, 0–100." })
  first?: number;

  @Field(() => String, { nullable: true, description: "pageInfo.endCursor of the previous page (cursors stay valid while games change)." })
  after?: string;
}

@Resolver(() => Game)
export class GameResolver {
  @Query(() => Game, { nullable: true, description: "null when no such game exists." })
  game(@Arg("id", () => ID) id: string, @Ctx() ctx: GqlContext): Promise<GameRecord | null> {
    return ctx.service.getGame(id);
  }

  @Query(() => GameConnection, { description: "Public games (admins may list PRIVATE ones), filtered, sorted, paged." })
  async games(@Args(() => GamesArgs) args: GamesArgs, @Ctx() ctx: GqlContext) {
    return toConnection(await ctx.service.listGames(ctx.actor, args));
  }

  @Authorized()
  @RateLimited("create")
  @Mutation(() => Game, { description: "Creates a game with the caller seated as creator." })
  async createGame(@Arg("input", () => CreateGameInput) input: CreateGameInput, @Ctx() ctx: GqlContext) {
    return (await ctx.service.createGame(ctx.actor!, input)).game;
  }

  @Authorized()
  @RateLimited("join")
  @GuessLimited()
  @Mutation(() => Game, {
    description: "Takes a seat (with a party you lead: all its members or none); private games need their joinCode (a wrong one is FORBIDDEN).",
  })
  async joinGame(
    @Arg("id", () => ID) id: string,
    @Arg("joinCode", () => String, { nullable: true }) joinCode: string | null,
    @Arg("partyId", () => ID, { nullable: true, description: PARTY_DESCRIPTION }) partyId: string | null,
    @Ctx() ctx: GqlContext,
  ) {
    return (await ctx.service.joinGame(ctx.actor!, id, joinCode, partyId)).game;
  }

  @Authorized()
  @RateLimited("join")
  @Mutation(() => Game, { nullable: true, description: "Frees the caller's seat; null when the creator left and the game was removed." })
  async leaveGame(@Arg("id", () => ID) id: string, @Ctx() ctx: GqlContext) {
    const change = await ctx.service.leaveGame(ctx.actor!, id);
    return change.kind === "DELETED" ? null : change.game;
  }

  @Authorized()
  @RateLimited("update")
  @Mutation(() => Game, { description: "Creator or admin only." })
  async updateGame(
    @Arg("id", () => ID) id: string,
    @Arg("input", () => UpdateGameInput) input: UpdateGameInput,
    @Ctx() ctx: GqlContext,
  ) {
    return (await ctx.service.updateGame(ctx.actor!, id, input)).game;
  }

  @Authorized()
  @RateLimited("update")
  @Mutation(() => Boolean, { description: "Creator or admin only." })
  async deleteGame(@Arg("id", () => ID) id: string, @Ctx() ctx: GqlContext): Promise<boolean> {
    await ctx.service.deleteGame(ctx.actor!, id);
    return true;
  }

  @FieldResolver(() => GameType)
  gameType(@Root() g: GameRecord, @Ctx() ctx: GqlContext): GameType {
    return toGameType(ctx.service.gameType(g.gameType)!);
  }

  @FieldResolver(() => Player)
  creator(@Root() g: GameRecord): Player {
    const p = g.players.find((x) => x.id === g.creatorId);
    return p ? toPlayer(p) : { id: g.creatorId, name: g.creatorId };
  }

  @FieldResolver(() => [Player])
  players(@Root() g: GameRecord): Player[] {
    // The records themselves (see toPlayer): no array or object per player and request.
    return g.players;
  }

  @FieldResolver(() => [Seat])
  seats(@Root() g: GameRecord): Seat[] {
    return g.players.map(toSeat);
  }

  @FieldResolver(() => Int)
  freeSeats(@Root() g: GameRecord): number {
    return freeSeats(g);
  }

  @FieldResolver(() => String, { nullable: true })
  joinCode(@Root() g: GameRecord, @Ctx() ctx: GqlContext): string | null {
    const a = ctx.actor;
    return a && (a.id === g.creatorId || a.admin) ? g.joinCode : null;
  }

  @FieldResolver(() => Date)
  createdAt(@Root() g: GameRecord): Date {
    return new Date(g.createdAt);
  }

  @FieldResolver(() => Date)
  updatedAt(@Root() g: GameRecord): Date {
    return new Date(g.updatedAt);
  }

  @FieldResolver(() => Date, { nullable: true })
  expiresAt(@Root() g: GameRecord): Date | null {
    return g.expiresAt === null ? null : new Date(g.expiresAt);
  }

  @FieldResolver(() => GameMatch, { nullable: true })
  match(@Root() g: GameRecord): GameMatch | null {
    if (!g.match) return null;
    const { queueId, ...rest } = g.match;
    return { queue: queueId, ...rest };
  }

  @FieldResolver(() => GameServerAccess, { nullable: true })
  server(@Root() g: GameRecord, @Ctx() ctx: GqlContext): GameServerAccess | null {
    const type = ctx.service.gameType(g.gameType);
    if (!ctx.actor || !isPlayer(g, ctx.actor.id) || !type?.socketUrl) return null;
    // The game server refuses everyone but the host until the host is there (close code 4000).
    if (!g.hostConnected && ctx.actor.id !== g.creatorId) return null;
    return { socketUrl: type.socketUrl, token: g.serverToken };
  }
}
