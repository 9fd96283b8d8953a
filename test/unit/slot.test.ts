import { describe, expect, it } from "vitest";
import { crc16, hashTagOf, keySlot, sameSlotTag } from "../../src/stream/slot.js";

describe("cluster key slots", () => {
  it("computes CRC16/XMODEM and slots as Redis does", () => {
    // The check value of CRC16/XMODEM, and slots Redis's CLUSTER KEYSLOT gives for these keys.
    expect(crc16("123456789")).toBe(0x31c3);
    expect(keySlot("foo")).toBe(12182);
    expect(keySlot("bar")).toBe(5061);
    expect(keySlot("{user1000}.following")).toBe(keySlot("{user1000}.followers"));
    expect(hashTagOf("a{}b")).toBe("a{}b");
    expect(hashTagOf("x{tag}y{other}")).toBe("tag");
  });

  it("finds a hash tag that puts a key beside a stream named without one", () => {
    // Keys whose braces make no tag (Redis then hashes the whole key) included.
    for (const stream of ["game_event_stream", "mm:events", "x", "a{}b", "a{b", "x{}{y}", "a}b{c"]) {
      const tag = sameSlotTag(stream);
      expect(keySlot(`${tag}${stream}:lease`), stream).toBe(keySlot(stream));
      expect(sameSlotTag(stream)).toBe(tag);
    }
    expect(sameSlotTag("{t1}:game_event_stream")).toBe("{t1}");
  });
});
