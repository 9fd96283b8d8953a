import { Arg, Ctx, Int, Mutation, Resolver } from "type-graphql";
import { ErrorCode, MatchmakerError } from "../domain/errors.js";
import type { Reporter } from "../service/report-events.js";
import type { GqlContext } from "./context.js";
import { GameEventInput } from "./game-event.input.js";

function reporterOf(ctx: GqlContext): Reporter {
  if (ctx.gameServerTypes.length > 0) return { kind: "gameServer", gameTypes: ctx.gameServerTypes };
  if (ctx.actor?.admin) return { kind: "admin" };
  if (ctx.actor) throw new MatchmakerError(ErrorCode.FORBIDDEN, "Only game servers (with their serverSecret) and admins may report game events.");
  throw new MatchmakerError(ErrorCode.UNAUTHENTICATED, "Send the game type's serverSecret as 'Authorization: Bearer <secret>'.");
}

@Resolver()
export class GameEventResolver {
  @Mutation(() => Int, { description: "For game servers that cannot reach Redis: appends events to the event stream; returns how many." })
  reportGameEvents(@Arg("events", () => [GameEventInput]) events: GameEventInput[], @Ctx() ctx: GqlContext): Promise<number> {
    return ctx.service.reportGameEvents(reporterOf(ctx), events);
  }
}
