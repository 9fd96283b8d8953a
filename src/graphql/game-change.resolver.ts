import { Arg, ID, Resolver, Root, Subscription } from "type-graphql";
import { ChangeKind, type GameChangeMessage } from "../domain/game.js";
import type { GqlContext } from "./context.js";
import { GameState } from "./enums.js";
import { GameChange } from "./game.type.js";

@Resolver(() => GameChange)
export class GameChangeResolver {
  @Subscription(() => GameChange, {
    description: "Live changes of one game (id), of one type's public games (gameType), or of all public games; optionally only those in or leaving the given states.",
    subscribe: ({ args, context }) => (context as GqlContext).service.watch(args),
  })
  gameChanged(
    @Root() change: GameChangeMessage,
    @Arg("id", () => ID, { nullable: true }) _id: string | null,
    @Arg("gameType", () => ID, { nullable: true }) _gameType: string | null,
    @Arg("states", () => [GameState], { nullable: true }) _states: GameState[] | null,
  ) {
    return { ...change, game: change.kind === ChangeKind.DELETED ? null : change.game };
  }
}
