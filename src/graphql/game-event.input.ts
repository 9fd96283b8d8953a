import { GraphQLJSON } from "graphql-scalars";
import { Field, Float, ID, InputType } from "type-graphql";

@InputType({ description: "One game-server event, as a game server would XADD it to the event stream." })
export class GameEventInput {
  @Field(() => ID, { description: "product_id: the game type." })
  gameType!: string;

  @Field(() => ID, { description: "game_id" })
  gameId!: string;

  @Field(() => String, { description: "state_change, player_disconnect, game_removed, game_over, gameplay, player_connected, heartbeat, metadata." })
  type!: string;

  @Field(() => String, { nullable: true, description: "event_id: when given, the event is applied at most once." })
  eventId?: string | null;

  @Field(() => Float, { nullable: true, description: "ts: producer time in ms since epoch (default: now)." })
  ts?: number | null;

  @Field(() => GraphQLJSON, { nullable: true, description: "The event's own fields by their stream names, e.g. { new_state: \"in_progress\" }, { player_id: \"bob\" }, { \"meta.map\": \"dust\" }." })
  fields?: Record<string, unknown> | null;
}
