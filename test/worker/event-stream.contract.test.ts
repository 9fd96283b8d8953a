import { describeEventStreamContract } from "./event-stream-contract.js";
import { memoryStreams, useRedisStreams } from "./stream-fixtures.js";

describeEventStreamContract("memory", () => memoryStreams);

const redis = useRedisStreams();
describeEventStreamContract("redis", () => redis.factory);
