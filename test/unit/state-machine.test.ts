import { describe, expect, it } from "vitest";
import { ALL_STATES, GameState as S } from "../../src/domain/game.js";
import { ALL_EVENTS, GameEvent as E, hostTables, SERVER_EVENTS, transition, transitionTable } from "../../src/domain/state-machine.js";

const SEATS = { freeSeats: 2, hostConnected: true };
const NO_SEATS = { freeSeats: 0, hostConnected: true };
const WAITING = { freeSeats: 2, hostConnected: false };

/** Every state × every event with the host connected, written out: the next state, or null when illegal. */
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
    [E.PLAYER_DISCONNECTED]: S.CREATED,
  },
  [S.OPEN]: {
    [E.CREATOR_JOINED]: S.OPEN,
    [E.ALL_PLAYERS_JOINED]: S.FULL,
    [E.IN_PROGRESS]: S.IN_PROGRESS,
    [E.ENDED]: S.ENDED,
    [E.GAME_OVER]: S.ENDED,
    [E.PLAYER_JOINING]: S.OPEN,
    [E.SEATS_FILLED]: S.FULL,
    [E.SEAT_FREED]: S.OPEN,
    [E.PLAYER_DISCONNECTED]: S.OPEN,
  },
  [S.FULL]: {
    [E.CREATOR_JOINED]: S.FULL,
    [E.ALL_PLAYERS_JOINED]: S.FULL,
    [E.IN_PROGRESS]: S.IN_PROGRESS,
    [E.ENDED]: S.ENDED,
    [E.GAME_OVER]: S.ENDED,
    [E.PLAYER_JOINING]: null,
    [E.SEATS_FILLED]: S.FULL,
    [E.SEAT_FREED]: S.OPEN,
    [E.PLAYER_DISCONNECTED]: S.OPEN,
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
    [E.PLAYER_DISCONNECTED]: S.IN_PROGRESS,
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
    [E.PLAYER_DISCONNECTED]: null,
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

  it("differs for a game waiting for its host only where a freed seat would list it", () => {
    for (const from of ALL_STATES) {
      for (const event of ALL_EVENTS) {
        const waiting = transition(from, event, WAITING);
        const freesFullSeat = from === S.FULL && (event === E.SEAT_FREED || event === E.PLAYER_DISCONNECTED);
        // A game that filled up through quickJoin before its host connected was never listed: back to CREATED.
        if (freesFullSeat) expect(waiting).toEqual({ legal: true, to: S.CREATED, changed: true });
        else expect(waiting).toEqual(transition(from, event, SEATS));
      }
    }
  });

  it("lets a match of the original generation end without in_progress, from every live state", () => {
    for (const from of [S.OPEN, S.FULL, S.IN_PROGRESS]) {
      expect(transition(from, E.GAME_OVER, SEATS)).toMatchObject({ legal: true, to: S.ENDED });
      expect(transition(from, E.ENDED, SEATS)).toMatchObject({ legal: true, to: S.ENDED });
    }
  });

  it("says why an illegal move stays illegal", () => {
    const reason = (from: S, event: E) => {
      const t = transition(from, event, SEATS);
      return t.legal ? "" : t.reason;
    };
    expect(reason(S.CREATED, E.GAME_OVER)).toMatch(/host has not connected/);
    expect(reason(S.ENDED, E.CREATOR_JOINED)).toMatch(/never returns to the lobby/);
    expect(reason(S.IN_PROGRESS, E.ALL_PLAYERS_JOINED)).toMatch(/match is running/);
    expect(reason(S.ENDED, E.PLAYER_DISCONNECTED)).toMatch(/keeps its roster/);
  });

  it("confirms a creator whose seats already filled up as FULL, not OPEN", () => {
    expect(transition(S.CREATED, E.CREATOR_JOINED, NO_SEATS)).toEqual({ legal: true, to: S.FULL, changed: true });
  });

  it("names the events only a game server sends", () => {
    expect([...SERVER_EVENTS].sort()).toEqual([E.ALL_PLAYERS_JOINED, E.CREATOR_JOINED, E.ENDED, E.GAME_OVER, E.IN_PROGRESS].sort());
  });

  it("hands the stores tables with only the legal moves", () => {
    expect(transitionTable(E.PLAYER_JOINING, SEATS)).toEqual({ [S.CREATED]: S.CREATED, [S.OPEN]: S.OPEN });
    expect(transitionTable(E.SEAT_FREED, SEATS)[S.FULL]).toBe(S.OPEN);
    expect(Object.keys(transitionTable(E.IN_PROGRESS, SEATS))).toEqual([S.OPEN, S.FULL, S.IN_PROGRESS]);
    expect(hostTables(E.SEAT_FREED, 1)).toMatchObject({ host: { [S.FULL]: S.OPEN }, waiting: { [S.FULL]: S.CREATED } });
    expect(hostTables(E.PLAYER_DISCONNECTED, 1).host[S.ENDED]).toBeUndefined();
  });
});
