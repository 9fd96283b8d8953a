import { describe } from "vitest";
import { describeCreatorCap } from "./contract-creator-cap.js";
import { describeParties } from "./contract-parties.js";
import { describeHostAndOrder } from "./contract-host.js";
import { describeOutbox } from "./contract-outbox.js";
import { describeLifecycle } from "./contract-lifecycle.js";
import { describeLists } from "./contract-list.js";
import { describeMatchmaking } from "./contract-matchmaking.js";
import { describeMutations } from "./contract-mutations.js";
import { describeQuickJoin } from "./contract-quickjoin.js";
import { describeListProperty } from "./contract-property.js";
import { describeSearch } from "./contract-search.js";
import { describeTickets } from "./contract-tickets.js";
import type { StoreFactory } from "./contract-support.js";

export type { StoreFactory, StoreFixture, StoreOptions } from "./contract-support.js";

/**
 * The behaviour every GameStore backend must show, run once per backend. `factory` is
 * called for every test (and every property run) and must return an empty store built
 * with the options it is given.
 */
export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`GameStore contract: ${name}`, () => {
    describeMutations(factory);
    describeLists(factory);
    describeListProperty(factory);
    describeSearch(factory);
    describeLifecycle(factory);
    describeHostAndOrder(factory);
    describeOutbox(factory);
    describeMatchmaking(factory);
    describeQuickJoin(factory);
    describeCreatorCap(factory);
    describeParties(factory);
    describeTickets(factory);
  });
}
