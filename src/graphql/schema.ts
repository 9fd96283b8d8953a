import { type GraphQLSchema, lexicographicSortSchema, printSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { authChecker } from "./auth-checker.js";
import { GameChangeResolver } from "./game-change.resolver.js";
import { GameEventResolver } from "./game-event.resolver.js";
import { GameResolver } from "./game.resolver.js";
import { GameTypeResolver } from "./game-type.resolver.js";
import { QuickJoinResolver } from "./quick-join.resolver.js";
import { PartyChangeResolver, PartyResolver } from "./party.resolver.js";
import { TicketChangeResolver, TicketResolver } from "./ticket.resolver.js";

/** The code-first schema; `matchmaker schema` prints it to schema.graphql. */
export function buildGameSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [GameResolver, GameTypeResolver, GameChangeResolver, GameEventResolver, QuickJoinResolver, PartyResolver, PartyChangeResolver, TicketResolver, TicketChangeResolver],
    authChecker,
    validate: false,
    // Every subscription brings its own `subscribe` (ChangeBus topics chosen per watcher), so
    // type-graphql's topic-based pubSub is never used; it only insists that one is present.
    pubSub: {
      publish: () => {
        throw new Error("publish through GameService, not type-graphql's pubSub");
      },
      subscribe: () => {
        throw new Error("subscriptions declare their own subscribe()");
      },
    },
  });
}

/** Stable text form (sorted), so the committed file only changes when the schema does. */
export function printSchemaSdl(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + "\n";
}
