import { describe, expect, it } from "vitest";
import { GameState } from "../../src/domain/game.js";
import { EventType, parseGameEvent } from "../../src/domain/game-events.js";

const base = { product_id: "duel", game_id: "duel_abcdefgh12345678" };

describe("reading stream entries as the original game servers write them", () => {
  it("reads every known type with its fields", () => {
    expect(parseGameEvent({ ...base, type: "state_change", new_state: "in_progress", event_id: "e1" })).toEqual({
      ok: true,
      event: { gameType: "duel", gameId: base.game_id, eventId: "e1", type: EventType.STATE_CHANGE, newState: GameState.IN_PROGRESS },
    });
    expect(parseGameEvent({ ...base, type: "player_disconnect", player_id: "bob" })).toMatchObject({
      ok: true,
      event: { type: EventType.PLAYER_DISCONNECT, playerId: "bob", eventId: null },
    });
    expect(parseGameEvent({ ...base, type: "game_over", winner_id: "a", loser_id: "b", ts: "1" })).toMatchObject({
      ok: true,
      event: { type: EventType.GAME_OVER, result: { winner_id: "a", loser_id: "b" } },
    });
    expect(parseGameEvent({ ...base, type: "metadata", "meta.map": "dust", other: "x" })).toMatchObject({
      ok: true,
      event: { type: EventType.METADATA, labels: { map: "dust" } },
    });
    for (const type of ["gameplay", "heartbeat", "game_removed"]) {
      expect(parseGameEvent({ ...base, type, event_name: "move" })).toMatchObject({ ok: true, event: { type } });
    }
  });

  it("names what is wrong with a malformed entry, and tells unknown types apart", () => {
    expect(parseGameEvent({ game_id: "x", type: "heartbeat" })).toEqual({
      ok: false,
      reason: "malformed",
      detail: "missing field(s): product_id",
    });
    expect(parseGameEvent({ ...base, type: "state_change", new_state: "created" })).toMatchObject({ ok: false, reason: "malformed" });
    expect(parseGameEvent({ ...base, type: "state_change" })).toMatchObject({ ok: false, reason: "malformed" });
    expect(parseGameEvent({ ...base, type: "player_connected" })).toMatchObject({ ok: false, reason: "malformed" });
    expect(parseGameEvent({ ...base, type: "metadata", map: "dust" })).toMatchObject({ ok: false, reason: "malformed" });
    expect(parseGameEvent({ ...base, type: "telemetry" })).toMatchObject({ ok: false, reason: "unknown_type" });
  });
});
