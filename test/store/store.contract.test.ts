import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { describeStoreContract } from "./contract.js";
import { useRedisServer } from "./redis-fixture.js";

describeStoreContract("memory", async () => ({ store: createMemoryStore(), cleanup: async () => {} }));

const redis = useRedisServer();
describeStoreContract("redis", redis.factory);
