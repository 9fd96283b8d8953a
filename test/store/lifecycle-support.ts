import type { GameRecord, GameState } from "../../src/domain/game.js";
import { GameEvent, hostTables, transitionTable } from "../../src/domain/state-machine.js";
import type { EventCommand, EventEffect, GameRef, GameStore } from "../../src/store/game-store.js";
import { makeGame, TIMEOUTS } from "../support/games.js";

/** The explicit clock of the lifecycle tests: every time is T0 + something. */
export const T0 = 1_800_000_000_000;

/** A state's timeout in ms under timedCatalog. */
export const timeout = (state: GameState): number => TIMEOUTS[state] * 1_000;

export const refOf = (g: Pick<GameRecord, "gameType" | "id">): GameRef => ({ gameType: g.gameType, id: g.id });

/** Creates a game at `createdAt` (default T0) and answers what the store kept. */
export async function createAt(store: GameStore, overrides: Partial<GameRecord> = {}): Promise<GameRecord> {
  return (await store.create(makeGame({ createdAt: T0, ...overrides }))).game;
}

/** A state_change's effect, as the service builds it from the pure state machine. */
export function transitionOf(event: GameEvent, freeSeats = 1, extra: Partial<Extract<EventEffect, { kind: "transition" }>> = {}): EventEffect {
  return { kind: "transition", table: transitionTable(event, { freeSeats, hostConnected: true }), reservationMs: 30_000, ...extra };
}

export const seatFreed = hostTables(GameEvent.SEAT_FREED, 1);
export const disconnected = hostTables(GameEvent.PLAYER_DISCONNECTED, 1);

export function eventCmd(
  g: Pick<GameRecord, "gameType" | "id">,
  effect: EventEffect,
  now: number,
  eventId: string | null = null,
  entryId: string | null = null,
): EventCommand {
  return { ref: refOf(g), effect, eventId, entryId, now };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
