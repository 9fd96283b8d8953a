import { Field, ID, Int, ObjectType } from "type-graphql";
import { ChangeKind } from "./enums.js";
import { Game } from "./game.type.js";
import { GameType } from "./game-type.type.js";

// No `id` field: a member's joinedAt belongs to this party, so a normalized client cache must not merge it across parties.
@ObjectType({ description: "A member of a party, as they joined it." })
export class PartyMember {
  @Field(() => ID)
  playerId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Date)
  joinedAt!: Date;
}

/**
 * Players who each joined themselves, seated together by the leader (joinGame, joinGameByCode
 * or quickJoin with partyId): all or none, exactly the members of that moment.
 * Resolvers return PartyRecords; the fields below are resolved in party.resolver.ts.
 */
@ObjectType({ description: "Players who each joined, seated together by the leader: all or none, exactly the members of that moment." })
export class Party {
  @Field(() => ID, { description: "Also the invitation: whoever has it may join (80 random bits)." })
  id!: string;

  @Field(() => GameType)
  gameType!: GameType;

  @Field(() => PartyMember)
  leader!: PartyMember;

  @Field(() => [PartyMember], { description: "In the order they joined." })
  members!: PartyMember[];

  @Field(() => Int)
  maxSize!: number;

  @Field(() => Int, { description: "Bumped by 1 on every change, seating included." })
  version!: number;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  @Field(() => Date, { description: "When the party is forgotten unless it changes before (an hour after its last change)." })
  expiresAt!: Date;

  @Field(() => Game, { nullable: true, description: "Where the leader last seated the party (its members find their own server access there); null before, or once that game is gone." })
  game!: Game | null;
}

@ObjectType()
export class PartyChange {
  @Field(() => ChangeKind)
  kind!: ChangeKind;

  @Field(() => ID)
  partyId!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => Party, { nullable: true, description: "The party after the change; null when its last member left (DELETED)." })
  party!: Party | null;
}
