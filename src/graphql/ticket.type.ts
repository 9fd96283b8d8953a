import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import { TicketStatus } from "./enums.js";
import { Game } from "./game.type.js";
import { GameType } from "./game-type.type.js";

@ObjectType({ description: "A player of a ticket." })
export class MatchTicketPlayer {
  @Field(() => ID)
  playerId!: string;

  @Field(() => String)
  name!: string;
}

/**
 * A search for fair opponents in one queue of a game type, by a player or the party they lead.
 * Resolvers return TicketRecords; the fields below are resolved in ticket.resolver.ts.
 */
@ObjectType({ description: "A search for fair opponents in one queue: SEARCHING until exactly one outcome." })
export class MatchTicket {
  @Field(() => ID, { description: "Unguessable (80 random bits); only the ticket's players (and admins) can read or follow it." })
  id!: string;

  @Field(() => GameType)
  gameType!: GameType;

  @Field(() => String, { description: "The queue's id in the game type's catalog entry." })
  queue!: string;

  @Field(() => TicketStatus)
  status!: TicketStatus;

  @Field(() => Int, { description: "1 when enqueued, +1 on every change." })
  version!: number;

  @Field(() => [MatchTicketPlayer], { description: "Who enqueued it first, then their party's other members." })
  players!: MatchTicketPlayer[];

  @Field(() => ID, { nullable: true })
  partyId!: string | null;

  @Field(() => Float)
  rating!: number;

  @Field(() => Date)
  enqueuedAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  @Field(() => Float, { description: "Seconds searched so far, or until it ended." })
  waitedSeconds!: number;

  @Field(() => Float, {
    nullable: true,
    description: "While SEARCHING: the rating half-width it accepts now (it widens with the wait, up to the queue's cap).",
  })
  window!: number | null;

  @Field(() => Int, { nullable: true, description: "While SEARCHING: how many tickets search within your window now (yours included)." })
  poolSize!: number | null;

  @Field(() => Int, { nullable: true, description: "While SEARCHING: how many tickets search in the queue." })
  queueSize!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: "While SEARCHING: the median of the queue's last 100 waits to a match, in seconds; null before the first match.",
  })
  estimatedWaitSeconds!: number | null;

  @Field(() => Game, { nullable: true, description: "When MATCHED: the game, with server access for each of its players." })
  game!: Game | null;

  @Field(() => [[ID]], { nullable: true, description: "When MATCHED: the player ids of each team (one team for a group)." })
  teams!: string[][] | null;

  @Field(() => Float, { nullable: true, description: "When MATCHED: highest team rating − lowest (team ratings are party-size weighted means)." })
  teamDifference!: number | null;

  @Field(() => String, { nullable: true, description: "When MATCHED: the region chosen for everyone's latency; null without a region rule." })
  region!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "When TIMED_OUT: the rule that failed most (no_one_within_window, no_region, party_size, pool_too_small); when CANCELLED: by whom.",
  })
  reason!: string | null;
}

@ObjectType()
export class MatchTicketChange {
  @Field(() => MatchTicket)
  ticket!: MatchTicket;

  @Field(() => TicketStatus, { nullable: true, description: "The status before this change; null for the ticket as it stood when the subscription began; SEARCHING on a SEARCHING ticket: its window widened." })
  previousStatus!: TicketStatus | null;
}

@ObjectType()
export class CancelMatchTicketResult {
  @Field(() => Boolean, { description: "true: the cancel won (nobody of the ticket is in a game); false: the ticket had already ended as it shows." })
  cancelled!: boolean;

  @Field(() => MatchTicket)
  ticket!: MatchTicket;
}

@ObjectType({ description: "How often a reason or rule came up." })
export class ReasonCount {
  @Field(() => String, { description: "e.g. no_one_within_window, no_region, party_size, pool_too_small; cancelled_by_owner, cancelled_by_admin." })
  reason!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: "Nearest-rank percentiles of a queue's recent waits from enqueue to match." })
export class WaitPercentiles {
  @Field(() => Int, { description: "Waits they are taken over (the queue's last 100 matched tickets at most)." })
  samples!: number;

  @Field(() => Float)
  p50Seconds!: number;

  @Field(() => Float)
  p90Seconds!: number;

  @Field(() => Float)
  p99Seconds!: number;

  @Field(() => Float)
  maxSeconds!: number;
}

@ObjectType({ description: "What a queue did lately, across every API and worker process: tickets ended and why, and why seeds formed no match." })
export class QueueActivity {
  @Field(() => Int, { description: "The minutes covered: the current one and those before it." })
  minutes!: number;

  @Field(() => Int)
  matched!: number;

  @Field(() => Int)
  timedOut!: number;

  @Field(() => Int)
  cancelled!: number;

  @Field(() => [ReasonCount], { description: "Timeouts by the rule that failed most for the ticket, most frequent first." })
  timeouts!: ReasonCount[];

  @Field(() => [ReasonCount], { description: "Cancels by who cancelled, most frequent first." })
  cancels!: ReasonCount[];

  @Field(() => [ReasonCount], { description: "Seed attempts that formed no match, by the rule that failed most in each, most frequent first: why tickets wait." })
  ruleFailures!: ReasonCount[];
}

@ObjectType({ description: "A ticket matchmaking queue of a game type (its catalog entry's `queues`), with how it is doing now." })
export class MatchQueue {
  @Field(() => String)
  id!: string;

  @Field(() => String, { description: 'The team layout, e.g. "2 × 1", "2 × 5", "group of 2–4".' })
  layout!: string;

  @Field(() => String, { description: "The ticket attribute the queue reads as the rating." })
  ratingAttribute!: string;

  @Field(() => Float, { description: "After this long a ticket ends TIMED_OUT." })
  maxWaitSeconds!: number;

  @Field(() => Int, { description: "Tickets searching now." })
  waiting!: number;

  @Field(() => Float, { nullable: true, description: "The median of the queue's last 100 waits to a match, in seconds; null before the first match." })
  estimatedWaitSeconds!: number | null;

  @Field(() => WaitPercentiles, { nullable: true, description: "Percentiles of the same waits; null before the first match." })
  timeToMatch!: WaitPercentiles | null;

  @Field(() => QueueActivity, { description: "The last 10 minutes: matches, timeouts and cancels with their reasons, and the rules that failed." })
  recent!: QueueActivity;
}
