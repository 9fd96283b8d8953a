import { PubSub } from "graphql-subscriptions";
import { type ChangeBus, createChangeBus } from "./change-bus.js";

/** Embedded mode: changes reach only subscribers of this process. */
export function createMemoryBus(prefix: string): ChangeBus {
  return createChangeBus({ engine: new PubSub(), prefix });
}
