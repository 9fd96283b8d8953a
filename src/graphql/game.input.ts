import { GraphQLJSON } from "graphql-scalars";
import { Field, Float, ID, InputType, Int } from "type-graphql";
import { GameState, SortDirection, SortField, Visibility } from "./enums.js";

@InputType()
export class CreateGameInput {
  @Field(() => ID)
  gameType!: string;

  @Field(() => GraphQLJSON, { nullable: true, description: "Checked against the type's settingsSchema; defaults applied." })
  settings?: unknown;

  @Field(() => GraphQLJSON, { nullable: true, description: "key → string or number; declared labels must have their kind." })
  labels?: unknown;

  @Field(() => Visibility, { nullable: true, defaultValue: Visibility.PUBLIC })
  visibility?: Visibility;

  @Field(() => String, { nullable: true })
  region?: string | null;

  @Field(() => Int, { nullable: true, description: "Seats including the creator; defaults to the type's maxPlayers." })
  capacity?: number | null;
}

@InputType()
export class UpdateGameInput {
  @Field(() => GraphQLJSON, { nullable: true, description: "Replaces all settings (defaults applied)." })
  settings?: unknown;

  @Field(() => GraphQLJSON, { nullable: true, description: "Replaces all labels." })
  labels?: unknown;

  @Field(() => Visibility, { nullable: true, description: "Switching to PRIVATE issues a new join code." })
  visibility?: Visibility | null;

  @Field(() => Int, { nullable: true, description: "Apply only if the game is still at this version (else VERSION_CONFLICT)." })
  expectedVersion?: number | null;
}

@InputType("LabelFilter", {
  description: "Compare a label: eq/ne for string and numeric labels, gt/gte/lt/lte/between for numeric ones. All given parts must hold.",
})
export class LabelFilterInput {
  @Field(() => String)
  key!: string;

  @Field(() => String, { nullable: true })
  eq?: string;

  @Field(() => String, { nullable: true })
  ne?: string;

  @Field(() => Float, { nullable: true })
  gt?: number;

  @Field(() => Float, { nullable: true })
  gte?: number;

  @Field(() => Float, { nullable: true })
  lt?: number;

  @Field(() => Float, { nullable: true })
  lte?: number;

  @Field(() => [Float], { nullable: true, description: "Inclusive range [low, high]; low ≤ high." })
  between?: number[];
}

@InputType("GameFilter")
export class GameFilterInput {
  @Field(() => ID, { nullable: true })
  gameType?: string;

  @Field(() => [GameState], {
    nullable: true,
    description: "Default: every state but ENDED (a finished game is kept a while for its result, never offered again).",
  })
  states?: GameState[];

  @Field(() => Visibility, { nullable: true, description: "Default PUBLIC; PRIVATE is for admins." })
  visibility?: Visibility;

  @Field(() => Int, { nullable: true })
  minFreeSeats?: number;

  @Field(() => [String], { nullable: true })
  regions?: string[];

  @Field(() => [LabelFilterInput], { nullable: true, description: "Needs gameType; only declared labels." })
  labels?: LabelFilterInput[];

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description:
      "Also list hosted games whose host has not connected to the game server yet (hostConnected: false). " +
      "Default false: the lobby lists only games a player can connect to.",
  })
  includeWaitingForHost?: boolean;
}

@InputType("GameSort")
export class GameSortInput {
  @Field(() => SortField, { defaultValue: SortField.CREATED_AT })
  field!: SortField;

  @Field(() => SortDirection, { defaultValue: SortDirection.ASC })
  direction!: SortDirection;

  @Field(() => String, { nullable: true, description: "LABEL and NEAREST: a numeric label every listed game type declares." })
  label?: string | null;

  @Field(() => Float, { nullable: true, description: "NEAREST: the value closest games are listed first for." })
  target?: number | null;
}
