import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import { badInput } from "../domain/errors.js";
import type { GameRecord } from "../domain/game.js";
import { type TicketChange, type TicketRecord, TicketStatus } from "../domain/tickets/ticket-record.js";
import { MAX_TICKET_REGIONS } from "../domain/tickets/ticket.js";
import { LINEAR_WINDOW_PUSH_MS } from "../domain/tickets/window.js";
import type { GqlContext } from "./context.js";
import { GameType } from "./game-type.type.js";
import { Game } from "./game.type.js";
import { toGameType } from "./mappers.js";
import { RateLimited } from "./rate-limit.js";
import { EnqueueMatchTicketInput } from "./ticket.input.js";
import { CancelMatchTicketResult, MatchTicket, MatchTicketChange, MatchTicketPlayer } from "./ticket.type.js";

/** One store read per ticket answer, however many of its queue fields the selection asks for. */
const insights = new WeakMap<TicketRecord, ReturnType<GqlContext["service"]["ticketInsight"]>>();
function insightOf(t: TicketRecord, ctx: GqlContext): ReturnType<GqlContext["service"]["ticketInsight"]> {
  let p = insights.get(t);
  if (!p) {
    p = ctx.service.ticketInsight(t);
    insights.set(t, p);
  }
  return p;
}

@Resolver(() => MatchTicket)
export class TicketResolver {
  @Query(() => MatchTicket, { nullable: true, description: "A ticket you are in; null for anyone else, and an hour after it ended." })
  matchTicket(@Arg("id", () => ID) id: string, @Ctx() ctx: GqlContext): Promise<TicketRecord | null> {
    return ctx.service.matchTicket(ctx.actor, id);
  }

  @Authorized()
  @RateLimited("quickJoin")
  @Mutation(() => MatchTicket, {
    description:
      "Starts searching for fair opponents in a queue, for you or the party you lead (TICKET_ALREADY_QUEUED while one of you searches there). " +
      "Follow it with matchTicketChanged.",
  })
  enqueueMatchTicket(@Arg("input", () => EnqueueMatchTicketInput) input: EnqueueMatchTicketInput, @Ctx() ctx: GqlContext): Promise<TicketRecord> {
    // Counted before anything is built from it.
    if (input.latencies && input.latencies.length > MAX_TICKET_REGIONS) throw badInput(`At most ${MAX_TICKET_REGIONS} latencies per ticket.`);
    const latencies = input.latencies ? Object.fromEntries(input.latencies.map((l) => [l.region, l.ms])) : null;
    if (input.latencies && latencies && Object.keys(latencies).length !== input.latencies.length) throw badInput("A region appears twice in latencies.");
    return ctx.service.enqueueMatchTicket(ctx.actor!, { gameType: input.gameType, queue: input.queue, rating: input.rating, latencies, partyId: input.partyId });
  }

  @Authorized()
  @RateLimited("quickJoin")
  @Mutation(() => CancelMatchTicketResult, {
    description: "Stops your search: either it wins (cancelled: true, nobody of the ticket is in a game) or it answers with the outcome that stands.",
  })
  cancelMatchTicket(@Arg("id", () => ID) id: string, @Ctx() ctx: GqlContext): Promise<{ cancelled: boolean; ticket: TicketRecord }> {
    return ctx.service.cancelMatchTicket(ctx.actor!, id);
  }

  @FieldResolver(() => GameType)
  gameType(@Root() t: TicketRecord, @Ctx() ctx: GqlContext): GameType {
    return toGameType(ctx.service.gameType(t.gameType)!);
  }

  @FieldResolver(() => String)
  queue(@Root() t: TicketRecord): string {
    return t.queueId;
  }

  @FieldResolver(() => [MatchTicketPlayer])
  players(@Root() t: TicketRecord): MatchTicketPlayer[] {
    return t.players.map((p) => ({ playerId: p.id, name: p.name }));
  }

  @FieldResolver(() => Date)
  enqueuedAt(@Root() t: TicketRecord): Date {
    return new Date(t.enqueuedAt);
  }

  @FieldResolver(() => Date)
  updatedAt(@Root() t: TicketRecord): Date {
    return new Date(t.updatedAt);
  }

  @FieldResolver(() => Number)
  waitedSeconds(@Root() t: TicketRecord, @Ctx() ctx: GqlContext): number {
    const until = t.status === TicketStatus.SEARCHING ? ctx.service.now() : t.updatedAt;
    return Math.max(0, until - t.enqueuedAt) / 1_000;
  }

  @FieldResolver(() => Number, { nullable: true })
  window(@Root() t: TicketRecord, @Ctx() ctx: GqlContext): number | null {
    return ctx.service.ticketWindow(t);
  }

  @FieldResolver(() => Int, { nullable: true })
  async poolSize(@Root() t: TicketRecord, @Ctx() ctx: GqlContext): Promise<number | null> {
    return (await insightOf(t, ctx))?.near ?? null;
  }

  @FieldResolver(() => Int, { nullable: true })
  async queueSize(@Root() t: TicketRecord, @Ctx() ctx: GqlContext): Promise<number | null> {
    return (await insightOf(t, ctx))?.waiting ?? null;
  }

  @FieldResolver(() => Number, { nullable: true })
  async estimatedWaitSeconds(@Root() t: TicketRecord, @Ctx() ctx: GqlContext): Promise<number | null> {
    const ms = (await insightOf(t, ctx))?.estimatedWaitMs;
    return ms === undefined || ms === null ? null : ms / 1_000;
  }

  @FieldResolver(() => Game, { nullable: true })
  game(@Root() t: TicketRecord, @Ctx() ctx: GqlContext): Promise<GameRecord | null> | null {
    return t.match ? ctx.service.getGame(t.match.gameId) : null;
  }

  @FieldResolver(() => [[ID]], { nullable: true })
  teams(@Root() t: TicketRecord): string[][] | null {
    return t.match?.teams ?? null;
  }

  @FieldResolver(() => Number, { nullable: true })
  teamDifference(@Root() t: TicketRecord): number | null {
    return t.match?.teamDifference ?? null;
  }

  @FieldResolver(() => String, { nullable: true })
  region(@Root() t: TicketRecord): string | null {
    return t.match?.region ?? null;
  }
}

@Resolver(() => MatchTicketChange)
export class TicketChangeResolver {
  @Subscription(() => MatchTicketChange, {
    description:
      "A ticket's changes, for its players: first the ticket as it stands when its version is past afterVersion " +
      "(pass the last version you saw when you reconnect: nothing is missed), then each change until it ends (that one is the last). " +
      "While it searches, the ticket again each time its window widens (same version, previousStatus SEARCHING: window, poolSize and estimatedWaitSeconds as of then) — " +
      `at each expansion step, every ${LINEAR_WINDOW_PUSH_MS / 1_000} s of a linear one, until maxWindow.`,
    subscribe: ({ args, context }) =>
      (context as GqlContext).service.watchTicket((context as GqlContext).actor, args.id as string, (args.afterVersion as number | null) ?? null),
  })
  matchTicketChanged(
    @Root() change: TicketChange,
    @Arg("id", () => ID) _id: string,
    @Arg("afterVersion", () => Int, { nullable: true }) _afterVersion: number | null,
  ): TicketChange {
    return change;
  }
}
