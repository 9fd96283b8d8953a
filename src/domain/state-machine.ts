import { ALL_STATES, GameState } from "./game.js";

/**
 * Everything that can move a game along its life cycle.
 * The first four mirror `state_change.new_state` on the wire; the rest are derived
 * by the matchmaker itself when seats are taken or freed.
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
  /** A seat was freed (leave, disconnect, reservation expiry). */
  SEAT_FREED = "seat_freed",
}

export const ALL_EVENTS: readonly GameEvent[] = Object.values(GameEvent);

export interface TransitionContext {
  /** Free seats at the moment the event applies. */
  freeSeats: number;
}

export type Transition =
  | { legal: true; to: GameState; changed: boolean }
  | { legal: false; reason: string };

const legal = (from: GameState, to: GameState): Transition => ({ legal: true, to, changed: from !== to });
const illegal = (from: GameState, event: GameEvent): Transition => ({
  legal: false,
  reason: `a game in state ${from} cannot take event ${event}`,
});

/**
 * The game life cycle as a pure function (GAME_SERVER_CONTRACT.md §3).
 * Repeating the event that led to the current state is legal and changes nothing,
 * so redelivered stream entries and the matchmaker's own FULL-on-last-seat never clash.
 */
export function transition(from: GameState, event: GameEvent, ctx: TransitionContext): Transition {
  switch (event) {
    case GameEvent.CREATOR_JOINED:
      if (from === GameState.CREATED) return legal(from, ctx.freeSeats > 0 ? GameState.OPEN : GameState.FULL);
      // FULL: the seats filled up through the matchmaker before the server confirmed the creator.
      if (from === GameState.OPEN || from === GameState.FULL) return legal(from, from);
      return illegal(from, event);
    case GameEvent.ALL_PLAYERS_JOINED:
      if (from === GameState.OPEN || from === GameState.FULL) return legal(from, GameState.FULL);
      return illegal(from, event);
    case GameEvent.IN_PROGRESS:
      if (from === GameState.FULL || from === GameState.IN_PROGRESS) return legal(from, GameState.IN_PROGRESS);
      return illegal(from, event);
    case GameEvent.ENDED:
    case GameEvent.GAME_OVER:
      if (from === GameState.IN_PROGRESS || from === GameState.ENDED) return legal(from, GameState.ENDED);
      return illegal(from, event);
    case GameEvent.PLAYER_JOINING:
      if (from === GameState.CREATED || from === GameState.OPEN) return legal(from, from);
      return illegal(from, event);
    case GameEvent.SEATS_FILLED:
      // Lobby-only types have no server to confirm the creator, so CREATED fills up too.
      if (from === GameState.CREATED || from === GameState.OPEN || from === GameState.FULL) return legal(from, GameState.FULL);
      return illegal(from, event);
    case GameEvent.SEAT_FREED:
      if (from === GameState.FULL) return legal(from, GameState.OPEN);
      // A running or finished game is not listed again when a player drops out.
      return legal(from, from);
  }
}

/**
 * The transition for `event` from every state, as a plain `state → next state` map
 * holding only legal moves. Lua scripts receive this map instead of re-implementing
 * the life cycle, so the state machine has one home.
 */
export function transitionTable(event: GameEvent, ctx: TransitionContext): Partial<Record<GameState, GameState>> {
  const table: Partial<Record<GameState, GameState>> = {};
  for (const from of ALL_STATES) {
    const t = transition(from, event, ctx);
    if (t.legal) table[from] = t.to;
  }
  return table;
}
