import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { createMemoryEventStream } from "../../src/stream/memory-event-stream.js";
import { createStreamConsumer } from "../../src/worker/stream-consumer.js";
import { describeStreamConsumer } from "./stream-consumer-suite.js";
import { memoryStreams, useRedisStreams } from "./stream-fixtures.js";

describeStreamConsumer("memory", () => memoryStreams);

const redis = useRedisStreams();
describeStreamConsumer("redis", () => redis.factory);

describe("stream consumer options", () => {
  it("refuses a zero block time, which would make an idle loop spin", () => {
    const stream = createMemoryEventStream();
    const logger = createLogger("silent");
    expect(() => createStreamConsumer({ stream, consumer: "c", logger, blockMs: 0, handle: async () => [] })).toThrow(RangeError);
  });
});
