import { createMemoryBus } from "../../src/bus/memory-bus.js";
import { createRedisBus } from "../../src/bus/redis-bus.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { testCatalog } from "../support/games.js";
import { randomPrefix } from "../support/redis-server.js";
import { describeBusContract } from "./bus-contract.js";
import { describeStoreContract } from "./contract.js";
import { useRedisServer } from "./redis-fixture.js";

describeStoreContract("memory", async (options = {}) => ({
  store: createMemoryStore({ catalog: options.catalog ?? testCatalog, eventDedupeMs: options.eventDedupeMs, searchBudget: options.searchBudget }),
  cleanup: async () => {},
}));

const redis = useRedisServer();
describeStoreContract("redis", redis.factory);
describeBusContract("memory", async () => createMemoryBus(randomPrefix()));
describeBusContract("redis", async () => createRedisBus(redis.client(), randomPrefix()));
