import { describe, expect, it } from "vitest";
import { frameOutcome } from "../src/transport.js";

describe("a subscription frame, as the client hands it on", () => {
  it("delivers data whose nullable fields failed, and ends only on a frame whose subscription failed", () => {
    const ticket = { id: "t1", status: "SEARCHING", poolSize: null };
    // A figure read from the store failed: null, with its error beside it at its path.
    const partial = frameOutcome({
      data: { matchTicketChanged: { ticket } },
      errors: [{ message: "The game store is not reachable right now", path: ["matchTicketChanged", "ticket", "poolSize"], extensions: { code: "BACKEND_UNAVAILABLE" } }],
    });
    expect(partial).toEqual({ data: { matchTicketChanged: { ticket } } });

    const atRoot = frameOutcome({ data: { gameChanged: null }, errors: [{ message: "no", path: ["gameChanged"], extensions: { code: "FORBIDDEN" } }] });
    expect(atRoot && "error" in atRoot && atRoot.error.code).toBe("FORBIDDEN");
    const noData = frameOutcome({ data: null, errors: [{ message: "gone", extensions: { code: "GAME_NOT_FOUND" } }] });
    expect(noData && "error" in noData && noData.error.code).toBe("GAME_NOT_FOUND");
    const requestError = frameOutcome({ data: { x: 1 }, errors: [{ message: "bad", extensions: { code: "BAD_USER_INPUT" } }] });
    expect(requestError && "error" in requestError && requestError.error.code).toBe("BAD_USER_INPUT");
    expect(frameOutcome({ data: { x: 1 } })).toEqual({ data: { x: 1 } });
  });
});
