import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { PartyChangeMessage } from "../bus/change-bus.js";
import type { GameRecord } from "../domain/game.js";
import { partyExpiresAt, type PartyMember as MemberRecord, type PartyRecord } from "../domain/party.js";
import type { GqlContext } from "./context.js";
import { GameType } from "./game-type.type.js";
import { Game } from "./game.type.js";
import { toGameType } from "./mappers.js";
import { Party, PartyChange, PartyMember } from "./party.type.js";
import { RateLimited } from "./rate-limit.js";

const toMember = (m: MemberRecord): PartyMember => ({ playerId: m.id, name: m.name, joinedAt: new Date(m.joinedAt) });

@Resolver(() => Party)
export class PartyResolver {
  @Query(() => Party, { nullable: true, description: "A party you are in; null for anyone else, and once it is gone." })
  party(@Arg("id", () => ID) id: string, @Ctx() ctx: GqlContext): Promise<PartyRecord | null> {
    return ctx.service.getParty(ctx.actor, id);
  }

  @Authorized()
  @RateLimited("party")
  @Mutation(() => Party, { description: "A new party for one game type, led by you; share its id with whoever should join." })
  createParty(
    @Arg("gameType", () => ID) gameType: string,
    @Arg("maxSize", () => Int, { nullable: true, description: "2 … the type's maxPlayers (default)." }) maxSize: number | null,
    @Ctx() ctx: GqlContext,
  ): Promise<PartyRecord> {
    return ctx.service.createParty(ctx.actor!, gameType, maxSize);
  }

  @Authorized()
  @RateLimited("party")
  @Mutation(() => Party, {
    description:
      "Joins the party with this id (PARTY_FULL, ALREADY_JOINED, PARTY_NOT_FOUND). A member joining again with a token whose ratings claim differs from the one they joined with (a fresh token) brings their ratings up to date.",
  })
  joinParty(@Arg("id", () => ID) id: string, @Ctx() ctx: GqlContext): Promise<PartyRecord> {
    return ctx.service.joinParty(ctx.actor!, id);
  }

  @Authorized()
  @RateLimited("party")
  @Mutation(() => Party, {
    nullable: true,
    description: "You leave the party — or, as its leader, remove `playerId`. A leader who leaves hands over to the longest-standing member; null once nobody is left.",
  })
  leaveParty(
    @Arg("id", () => ID) id: string,
    @Arg("playerId", () => ID, { nullable: true }) playerId: string | null,
    @Ctx() ctx: GqlContext,
  ): Promise<PartyRecord | null> {
    return ctx.service.leaveParty(ctx.actor!, id, playerId);
  }

  @FieldResolver(() => GameType)
  gameType(@Root() p: PartyRecord, @Ctx() ctx: GqlContext): GameType {
    return toGameType(ctx.service.gameType(p.gameType)!);
  }

  @FieldResolver(() => PartyMember)
  leader(@Root() p: PartyRecord): PartyMember {
    return toMember(p.members.find((m) => m.id === p.leaderId) ?? p.members[0]!);
  }

  @FieldResolver(() => [PartyMember])
  members(@Root() p: PartyRecord): PartyMember[] {
    return p.members.map(toMember);
  }

  @FieldResolver(() => Date)
  createdAt(@Root() p: PartyRecord): Date {
    return new Date(p.createdAt);
  }

  @FieldResolver(() => Date)
  updatedAt(@Root() p: PartyRecord): Date {
    return new Date(p.updatedAt);
  }

  @FieldResolver(() => Date)
  expiresAt(@Root() p: PartyRecord): Date {
    return new Date(partyExpiresAt(p));
  }

  @FieldResolver(() => Game, { nullable: true })
  game(@Root() p: PartyRecord, @Ctx() ctx: GqlContext): Promise<GameRecord | null> | null {
    return p.seatedIn ? ctx.service.getGame(p.seatedIn) : null;
  }
}

@Resolver(() => PartyChange)
export class PartyChangeResolver {
  @Subscription(() => PartyChange, {
    description: "Changes of a party you are in, until you leave it or it ends (that change is the last).",
    subscribe: ({ args, context }) => (context as GqlContext).service.watchParty((context as GqlContext).actor, args.id as string),
  })
  partyChanged(@Root() change: PartyChangeMessage, @Arg("id", () => ID) _id: string): PartyChangeMessage {
    return change;
  }
}
