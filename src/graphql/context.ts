import type { Actor } from "../domain/game.js";
import type { GameService } from "../service/game-service.js";

/** Per request (HTTP) or per connection (graphql-ws). */
export interface GqlContext {
  actor: Actor | null;
  service: GameService;
}
