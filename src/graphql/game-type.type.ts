import { GraphQLJSON } from "graphql-scalars";
import { Field, ID, Int, ObjectType } from "type-graphql";
import { GameState, HostLeaves, QuickJoinPreference } from "./enums.js";

@ObjectType({ description: "A label that filters may use (declared by the game type, hence indexed)." })
export class LabelDeclaration {
  @Field(() => String)
  key!: string;

  @Field(() => String, { description: "string or number" })
  kind!: string;
}

@ObjectType()
export class StateTimeout {
  @Field(() => GameState)
  state!: GameState;

  @Field(() => Int, { description: "Seconds without activity before a game in this state expires." })
  seconds!: number;
}

@ObjectType({ description: "A kind of game from the catalog." })
export class GameType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => Int)
  minPlayers!: number;

  @Field(() => Int)
  maxPlayers!: number;

  @Field(() => GraphQLJSON, { description: "JSON Schema that game settings are checked against; defaults are applied." })
  settingsSchema!: Record<string, unknown>;

  @Field(() => [LabelDeclaration])
  labels!: LabelDeclaration[];

  @Field(() => [String], { description: "Regions games may be created in; empty means any." })
  regions!: string[];

  @Field(() => [StateTimeout])
  stateTimeouts!: StateTimeout[];

  @Field(() => Int)
  seatReservationSeconds!: number;

  @Field(() => Boolean, { description: "Whether a game server is called to host games of this type." })
  hasGameServer!: boolean;

  @Field(() => HostLeaves)
  hostLeaves!: HostLeaves;

  @Field(() => QuickJoinPreference)
  quickJoinPrefer!: QuickJoinPreference;
}
