import { createRedisBus } from "../../src/bus/redis-bus.js";
import { randomPrefix } from "../support/redis-server.js";
import { describeBusContract } from "./bus-contract.js";
import { describeStoreContract } from "./contract.js";
import { useRedisCluster } from "./cluster-fixture.js";

// The whole contract on a 3-master Redis Cluster: every script and multi-key command must
// touch one slot (a CROSSSLOT error fails the test), and every answer must match one Redis.
const cluster = useRedisCluster({ masters: 3 });
describeStoreContract("redis cluster", cluster.factory);
describeBusContract("redis cluster, sharded pub/sub", async () => createRedisBus(cluster.client(), randomPrefix()));
