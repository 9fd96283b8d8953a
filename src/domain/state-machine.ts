import { ALL_STATES, GameState } from "./game.js";

/**
 * Everything that can move a game along its life cycle.
 * The first five mirror the game server's stream entries (`state_change.new_state`, and
 * `game_over`); the rest are derived by the matchmaker itself when seats are taken or freed.
 */
export enum GameEvent {
  CREATOR_JOINED = "creator_joined",
  ALL_PLAYERS_JOINED = "all_players_joined",
  IN_PROGRESS = "in_progress",
  ENDED = "ended",
  GAME_OVER = "game_over",
  /** A player is about to be seated (legal only where seats may be taken). */
  PLAYER_JOINING = "player_joining",
  /** The last free seat was just taken. */
  SEATS_FILLED = "seats_filled",
  /** A seat was freed by the matchmaker (leave, reservation expiry, a refused party). */
  SEAT_FREED = "seat_freed",
  /** The game server reports a player gone (`player_disconnect`); a finished game keeps its roster. */
  PLAYER_DISCONNECTED = "player_disconnected",
}

export const ALL_EVENTS: readonly GameEvent[] = Object.values(GameEvent);

/** The events a game server sends: each one means its host is connected (see docs/game-server-contract.md). */
export const SERVER_EVENTS: ReadonlySet<GameEvent> = new Set([
  GameEvent.CREATOR_JOINED,
  GameEvent.ALL_PLAYERS_JOINED,
  GameEvent.IN_PROGRESS,
  GameEvent.ENDED,
  GameEvent.GAME_OVER,
]);

export interface TransitionContext {
  /** Free seats at the moment the event applies. */
  freeSeats: number;
  /**
   * Whether the host is on the game server (always true for types without one). A hosted
   * game that filled up through quickJoin before its host connected goes back to CREATED,
   * not OPEN, when a seat is freed: it was never listed.
   */
  hostConnected: boolean;
}

export type Transition =
  | { legal: true; to: GameState; changed: boolean }
  | { legal: false; reason: string };

const legal = (from: GameState, to: GameState): Transition => ({ legal: true, to, changed: from !== to });
const illegal = (from: GameState, event: GameEvent, why: string): Transition => ({
  legal: false,
  reason: `a game in state ${from} cannot take event ${event}: ${why}`,
});

const LIVE = new Set([GameState.OPEN, GameState.FULL, GameState.IN_PROGRESS]);
const NO_HOST_YET = "its host has not connected to the game server yet (creator_joined comes first)";
const FINISHED = "the game has ended and never returns to the lobby";
const RUNNING = "the match is running and never returns to the lobby";

/**
 * The game life cycle as a pure function (docs/game-server-contract.md, "Life cycle").
 * Repeating the event that led to the current state is legal and changes nothing, so the
 * matchmaker's own FULL-on-last-seat and the server's all_players_joined never clash.
 * Game servers of the original generation never send `in_progress`: `ended` and
 * `game_over` end a game from any live state.
 */
export function transition(from: GameState, event: GameEvent, ctx: TransitionContext): Transition {
  switch (event) {
    case GameEvent.CREATOR_JOINED:
      if (from === GameState.CREATED) return legal(from, ctx.freeSeats > 0 ? GameState.OPEN : GameState.FULL);
      // FULL: the seats filled up through quickJoin before the host connected.
      if (from === GameState.OPEN || from === GameState.FULL) return legal(from, from);
      return illegal(from, event, from === GameState.ENDED ? FINISHED : RUNNING);
    case GameEvent.ALL_PLAYERS_JOINED:
      if (from === GameState.OPEN || from === GameState.FULL) return legal(from, GameState.FULL);
      return illegal(from, event, from === GameState.CREATED ? NO_HOST_YET : from === GameState.ENDED ? FINISHED : RUNNING);
    case GameEvent.IN_PROGRESS:
      // OPEN: a server may start a match with fewer players than seats (minPlayers reached).
      if (LIVE.has(from)) return legal(from, GameState.IN_PROGRESS);
      return illegal(from, event, from === GameState.CREATED ? NO_HOST_YET : FINISHED);
    case GameEvent.ENDED:
    case GameEvent.GAME_OVER:
      if (LIVE.has(from) || from === GameState.ENDED) return legal(from, GameState.ENDED);
      return illegal(from, event, NO_HOST_YET);
    case GameEvent.PLAYER_JOINING:
      // CREATED: quickJoin seats racers in a hosted game before its host connects, so they meet in one game.
      if (from === GameState.CREATED || from === GameState.OPEN) return legal(from, from);
      return illegal(from, event, from === GameState.FULL ? "no seat is free" : "it no longer takes players");
    case GameEvent.SEATS_FILLED:
      if (from === GameState.CREATED || from === GameState.OPEN || from === GameState.FULL) return legal(from, GameState.FULL);
      return illegal(from, event, "seats are only taken in the lobby");
    case GameEvent.SEAT_FREED:
      if (from === GameState.FULL) return legal(from, ctx.hostConnected ? GameState.OPEN : GameState.CREATED);
      // A running or finished game is not listed again when a player drops out.
      return legal(from, from);
    case GameEvent.PLAYER_DISCONNECTED:
      if (from === GameState.ENDED) return illegal(from, event, "a finished game keeps its roster and its result");
      return transition(from, GameEvent.SEAT_FREED, ctx);
  }
}

/** State → next state, holding only the legal moves. */
export type StateTable = Partial<Record<GameState, GameState>>;

/**
 * The transition for `event` from every state, as a plain `state → next state` map
 * holding only legal moves. Lua scripts receive this map instead of re-implementing
 * the life cycle, so the state machine has one home.
 */
export function transitionTable(event: GameEvent, ctx: TransitionContext): StateTable {
  const table: StateTable = {};
  for (const from of ALL_STATES) {
    const t = transition(from, event, ctx);
    if (t.legal) table[from] = t.to;
  }
  return table;
}

/** A table whose rows depend on whether the game's host has connected (see TransitionContext.hostConnected). */
export interface HostTables {
  host: StateTable;
  waiting: StateTable;
}

/** {@link transitionTable} for both values of hostConnected; the store picks the rows by the game's flag. */
export function hostTables(event: GameEvent, freeSeats: number): HostTables {
  return {
    host: transitionTable(event, { freeSeats, hostConnected: true }),
    waiting: transitionTable(event, { freeSeats, hostConnected: false }),
  };
}
