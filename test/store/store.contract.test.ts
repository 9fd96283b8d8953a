import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { testCatalog } from "../support/games.js";
import { describeStoreContract } from "./contract.js";
import { useRedisServer } from "./redis-fixture.js";

describeStoreContract("memory", async (options = {}) => ({
  store: createMemoryStore({ catalog: options.catalog ?? testCatalog, eventDedupeMs: options.eventDedupeMs, searchBudget: options.searchBudget }),
  cleanup: async () => {},
}));

const redis = useRedisServer();
describeStoreContract("redis", redis.factory);
