import { GraphQLJSON } from "graphql-scalars";
import { Field, ID, InputType } from "type-graphql";
import { GameState } from "./enums.js";
import { LabelFilterInput } from "./game.input.js";

export const PARTY_DESCRIPTION =
  "A party you lead (createParty): its members at this moment are seated with you, all or none. " +
  "Each member joined the party themselves; they find their seat through the party's game.";

@InputType("QuickJoinFilter", { description: "What a game must match to be joined; the lobby's label semantics." })
export class QuickJoinFilterInput {
  @Field(() => [GameState], { nullable: true, description: "Only games in these states (of those that take players: CREATED, OPEN)." })
  states?: GameState[];

  @Field(() => [LabelFilterInput], { nullable: true, description: "Declared labels only; a game quickJoin creates gets every eq value." })
  labels?: LabelFilterInput[];
}

@InputType()
export class QuickJoinInput {
  @Field(() => ID)
  gameType!: string;

  @Field(() => String, { nullable: true, description: "Only games of this region; a created game goes there." })
  region?: string | null;

  @Field(() => QuickJoinFilterInput, { nullable: true })
  filter?: QuickJoinFilterInput | null;

  @Field(() => ID, { nullable: true, description: PARTY_DESCRIPTION })
  partyId?: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: "Settings of a game quickJoin creates (checked, defaults applied)." })
  settings?: unknown;

  @Field(() => GraphQLJSON, { nullable: true, description: "Labels of a game quickJoin creates, besides the filter's eq values." })
  labels?: unknown;
}
