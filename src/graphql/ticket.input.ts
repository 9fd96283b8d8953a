import { Field, Float, ID, InputType } from "type-graphql";
import { PARTY_DESCRIPTION } from "./quick-join.input.js";

@InputType({ description: "A measured round trip to one region." })
export class RegionLatencyInput {
  @Field(() => String)
  region!: string;

  @Field(() => Float, { description: "Milliseconds, ≥ 0." })
  ms!: number;
}

@InputType()
export class EnqueueMatchTicketInput {
  @Field(() => ID)
  gameType!: string;

  @Field(() => String, { description: "A queue of the game type (its catalog entry's `queues`)." })
  queue!: string;

  @Field(() => Float, {
    nullable: true,
    description:
      "Your rating in the queue's rating attribute (for a party: its agreed rating); required by a queue whose ratings come from input. " +
      "A queue whose ratings come from player tokens (rating.source: token) reads the tokens' ratings claim instead: leave this out, or send the same value.",
  })
  rating?: number | null;

  @Field(() => [RegionLatencyInput], { nullable: true, description: "Required by a queue with a region rule; at most 32." })
  latencies?: RegionLatencyInput[] | null;

  @Field(() => ID, { nullable: true, description: `${PARTY_DESCRIPTION} Here: they search together, in one team.` })
  partyId?: string | null;
}
