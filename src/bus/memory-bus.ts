import { EventEmitter } from "node:events";
import { PubSub } from "graphql-subscriptions";
import { type ChangeBus, createChangeBus } from "./change-bus.js";

/** Embedded mode: changes reach only subscribers of this process. */
export function createMemoryBus(prefix: string): ChangeBus {
  // One listener per watcher of a topic: thousands on a busy lobby are the normal case, not a
  // leak (subscriptions per connection and connections per address are bounded elsewhere).
  const eventEmitter = new EventEmitter().setMaxListeners(0);
  return createChangeBus({ engine: new PubSub({ eventEmitter }), prefix });
}
