import { describe, expect, it } from "vitest";
import { ALL_STATES, GameState as S } from "../../src/domain/game.js";
import { ALL_EVENTS, GameEvent as E, transition, transitionTable } from "../../src/domain/state-machine.js";

const SEATS = { freeSeats: 2 };
const NO_SEATS = { freeSeats: 0 };

/** Every state × every event, written out: the expected next state, or null when illegal. */
const EXPECTED: Record<S, Record<E, S | null>> = {
  [S.CREATED]: {
    [E.CREATOR_JOINED]: S.OPEN,
    [E.ALL_PLAYERS_JOINED]: null,
    [E.IN_PROGRESS]: null,
    [E.ENDED]: null,
    [E.GAME_OVER]: null,
    [E.PLAYER_JOINING]: S.CREATED,
    [E.SEATS_FILLED]: S.FULL,
    [E.SEAT_FREED]: S.CREATED,
  },
  [S.OPEN]: {
    [E.CREATOR_JOINED]: S.OPEN,
    [E.ALL_PLAYERS_JOINED]: S.FULL,
    [E.IN_PROGRESS]: null,
    [E.ENDED]: null,
    [E.GAME_OVER]: null,
    [E.PLAYER_JOINING]: S.OPEN,
    [E.SEATS_FILLED]: S.FULL,
    [E.SEAT_FREED]: S.OPEN,
  },
  [S.FULL]: {
    [E.CREATOR_JOINED]: S.FULL,
    [E.ALL_PLAYERS_JOINED]: S.FULL,
    [E.IN_PROGRESS]: S.IN_PROGRESS,
    [E.ENDED]: null,
    [E.GAME_OVER]: null,
    [E.PLAYER_JOINING]: null,
    [E.SEATS_FILLED]: S.FULL,
    [E.SEAT_FREED]: S.OPEN,
  },
  [S.IN_PROGRESS]: {
    [E.CREATOR_JOINED]: null,
    [E.ALL_PLAYERS_JOINED]: null,
    [E.IN_PROGRESS]: S.IN_PROGRESS,
    [E.ENDED]: S.ENDED,
    [E.GAME_OVER]: S.ENDED,
    [E.PLAYER_JOINING]: null,
    [E.SEATS_FILLED]: null,
    [E.SEAT_FREED]: S.IN_PROGRESS,
  },
  [S.ENDED]: {
    [E.CREATOR_JOINED]: null,
    [E.ALL_PLAYERS_JOINED]: null,
    [E.IN_PROGRESS]: null,
    [E.ENDED]: S.ENDED,
    [E.GAME_OVER]: S.ENDED,
    [E.PLAYER_JOINING]: null,
    [E.SEATS_FILLED]: null,
    [E.SEAT_FREED]: S.ENDED,
  },
};

describe("game state machine", () => {
  for (const from of ALL_STATES) {
    for (const event of ALL_EVENTS) {
      const want = EXPECTED[from][event];
      it(`${from} + ${event} → ${want ?? "illegal"}`, () => {
        const t = transition(from, event, SEATS);
        if (want === null) {
          expect(t.legal).toBe(false);
          if (!t.legal) expect(t.reason).toContain(from);
        } else {
          expect(t).toEqual({ legal: true, to: want, changed: want !== from });
        }
      });
    }
  }

  it("confirms a creator whose seats already filled up as FULL, not OPEN", () => {
    expect(transition(S.CREATED, E.CREATOR_JOINED, NO_SEATS)).toEqual({ legal: true, to: S.FULL, changed: true });
  });

  it("hands the stores a table with only the legal moves", () => {
    expect(transitionTable(E.PLAYER_JOINING, SEATS)).toEqual({ [S.CREATED]: S.CREATED, [S.OPEN]: S.OPEN });
    expect(transitionTable(E.SEAT_FREED, SEATS)[S.FULL]).toBe(S.OPEN);
    expect(Object.keys(transitionTable(E.IN_PROGRESS, SEATS))).toEqual([S.FULL, S.IN_PROGRESS]);
  });
});
