import { ChangeKind, type GameChangeRecord, type GameRecord, type GameState, type PlayerRecord, freeSeats } from "../../domain/game.js";
import type { MemoryParties } from "./parties.js";
import type { LabelKind } from "../../domain/game-type.js";
import { pickQuickJoin } from "../../domain/quick-join.js";
import type { GameRef, GameStore, HostTables, QuickJoinCommand, StateTable } from "../game-store.js";
import { storeErrors } from "../store-errors.js";
import { freeSeatsOf } from "./event-effects.js";

/** What the memory store shares with its matchmaking half. */
export interface MemoryState {
  games: Map<string, GameRecord>;
  /** Join code → game, for every live private game (unique across types: one process sees them all). */
  codes: Map<string, GameRef>;
  find(ref: GameRef): GameRecord | undefined;
  load(ref: GameRef): GameRecord;
  /** Stores a new game (version 1, seats normalised, code registered); throws on id or code collision, TOO_MANY_GAMES past the cap. */
  insert(game: GameRecord, maxLiveCreated?: number): GameRecord;
  bump(g: GameRecord, now: number): void;
  touch(g: GameRecord, now: number): void;
  change(kind: ChangeKind, g: GameRecord, previousState: GameState | null): GameChangeRecord;
  /** The label kinds `type` declares: the labels a quickJoin second walk can be driven by. */
  labelKinds(type: string): Readonly<Record<string, LabelKind>>;
  parties: MemoryParties;
}

// A confirmed seat holds no reservation, whatever the caller passed.
export const seat = (p: PlayerRecord): PlayerRecord => ({ ...p, reservedUntil: p.confirmed ? null : p.reservedUntil });

/** Seats `players` (already checked to fit) and applies seatsFilled when the last seat is taken. Never throws. */
export function seatAll(g: GameRecord, players: readonly PlayerRecord[], seatsFilled: StateTable): void {
  g.players.push(...players.map(seat));
  if (freeSeats(g) === 0) g.state = seatsFilled[g.state] ?? g.state;
}

/**
 * quickJoin, findByCode, attachServerToken and evict of the memory store (same semantics
 * as Redis; quickJoin looks at every game once, O(games), which suits embedded mode).
 * Refusals reject with the same MatchmakerErrors as the Redis store.
 */
export function createMemoryMatchmaking(
  s: MemoryState,
): Pick<GameStore, "quickJoin" | "findByCode" | "attachServerToken" | "evict"> {
  return {
    async quickJoin(cmd: QuickJoinCommand) {
      s.parties.check(cmd.partyGuard, cmd.now);
      const playerIds = cmd.players.map((p) => p.id);
      const { filter, region, prefer, scanBudget } = cmd;
      const labelKinds = s.labelKinds(cmd.gameType);
      const g = pickQuickJoin(s.games.values(), { filter, region, playerIds, prefer, scanBudget, labelKinds });
      if (!g) {
        const created = s.insert(cmd.newGame, cmd.maxLiveCreated);
        s.parties.seated(cmd.partyGuard, created.id, cmd.now);
        return { change: s.change(ChangeKind.CREATED, created, null), created: true };
      }
      const previous = g.state;
      seatAll(g, cmd.players, cmd.seatsFilled);
      s.bump(g, cmd.now);
      s.touch(g, cmd.now);
      s.parties.seated(cmd.partyGuard, g.id, cmd.now);
      return { change: s.change(ChangeKind.UPDATED, g, previous), created: false };
    },

    async findByCode(code: string) {
      const ref = s.codes.get(code);
      return ref ? { ...ref } : null;
    },

    async attachServerToken(ref: GameRef, token: string, now: number) {
      const g = s.load(ref);
      g.serverToken = token;
      s.bump(g, now);
      s.touch(g, now);
      return s.change(ChangeKind.UPDATED, g, g.state);
    },

    async evict(ref: GameRef, playerIds: readonly string[], seatFreed: HostTables, now: number) {
      const g = s.load(ref);
      const gone = playerIds.filter((id) => id !== g.creatorId && g.players.some((p) => p.id === id));
      if (gone.length === 0) return null;
      const previous = g.state;
      freeSeatsOf(g, gone, seatFreed);
      s.bump(g, now);
      s.touch(g, now);
      return s.change(ChangeKind.UPDATED, g, previous);
    },
  };
}
