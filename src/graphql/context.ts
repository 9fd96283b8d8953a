import type { Actor } from "../domain/game.js";
import type { RateLimits } from "../ratelimit/rate-limits.js";
import type { GameService } from "../service/game-service.js";

/** Per request (HTTP) or per connection (graphql-ws). */
export interface GqlContext {
  /** The player (or admin) named by a valid JWT; null when anonymous or a game server. */
  actor: Actor | null;
  /** Game types whose serverSecret the caller presented as its bearer token. */
  gameServerTypes: string[];
  service: GameService;
  /** The client's address (see TRUST_PROXY_HOPS), for limits per address. */
  clientAddress?: string;
  limits: RateLimits;
}
