import { randomBytes } from "node:crypto";
import { type GameSort, type NormalizedFilter, SortDirection, SortField } from "../../src/domain/filter.js";
import { DEFAULT_QUICK_JOIN } from "../../src/config/catalog-matchmaking.js";
import { type Catalog, createCatalog, type GameTypeDef, HostLeaves, type LabelKind } from "../../src/domain/game-type.js";
import { type Actor, type GameRecord, GameState, newGameRecord, type PlayerRecord, Visibility } from "../../src/domain/game.js";
import { GameEvent, hostTables, transitionTable } from "../../src/domain/state-machine.js";
import type { JoinCommand, LeaveCommand } from "../../src/store/game-store.js";

/** Two small game types with one string and one numeric label each. */
export const DUEL = "duel";
export const PARTY = "party";

const UNIFORM_TIMEOUTS = Object.fromEntries(Object.values(GameState).map((s) => [s, 600])) as Record<GameState, number>;

export function typeDef(
  id: string,
  maxPlayers: number,
  labels: Record<string, LabelKind>,
  timeouts: Record<GameState, number> = UNIFORM_TIMEOUTS,
  extra: Partial<GameTypeDef> = {},
): GameTypeDef {
  return {
    id,
    name: id,
    description: null,
    minPlayers: 1,
    maxPlayers,
    serverUrl: null,
    socketUrl: null,
    serverSecret: null,
    settingsSchema: {},
    labels,
    stateTimeouts: timeouts,
    seatReservationSeconds: 30,
    regions: [],
    hostLeaves: HostLeaves.CLOSE,
    quickJoin: { ...DEFAULT_QUICK_JOIN },
    ...extra,
  };
}

export const testCatalog: Catalog = createCatalog([
  typeDef(DUEL, 8, { mode: "string", rating: "number" }),
  typeDef(PARTY, 8, { map: "string", stakes: "number" }),
]);

/** State timeouts (seconds) that differ per state, so a test can tell which state's timeout applied. */
export const TIMEOUTS: Readonly<Record<GameState, number>> = {
  [GameState.CREATED]: 60,
  [GameState.OPEN]: 120,
  [GameState.FULL]: 600,
  [GameState.IN_PROGRESS]: 1_200,
  [GameState.ENDED]: 300,
};

/** The test types with {@link TIMEOUTS} instead of a uniform 600 s. */
export const timedCatalog: Catalog = createCatalog([
  typeDef(DUEL, 8, { mode: "string", rating: "number" }, { ...TIMEOUTS }),
  typeDef(PARTY, 8, { map: "string", stakes: "number" }, { ...TIMEOUTS }),
]);

export const newGameId = (type: string): string => `${type}_${randomBytes(6).toString("hex")}`;

// Realistic, strictly increasing creation times unless a test sets its own.
let clock = 1_763_000_000_000;
export const tick = (): number => ++clock;

export const player = (id: string, joinedAt = tick()): PlayerRecord => ({
  id,
  name: `Player ${id}`,
  joinedAt,
  confirmed: true,
  reservedUntil: null,
});

/** A seat the game server has not confirmed yet, held until `reservedUntil`. */
export const reservedPlayer = (id: string, reservedUntil: number | null, joinedAt = tick()): PlayerRecord => ({
  ...player(id, joinedAt),
  confirmed: false,
  reservedUntil,
});

export const actor = (id: string, admin = false): Actor => ({ id, name: id, admin });
export const ADMIN = actor("root", true);

/** A public OPEN game of `gameType` created by "alice" (seated), capacity 4, unless overridden. */
export function makeGame(overrides: Partial<GameRecord> = {}): GameRecord {
  const gameType = overrides.gameType ?? DUEL;
  const createdAt = overrides.createdAt ?? tick();
  const creatorId = overrides.creatorId ?? "alice";
  // The store computes expiresAt and lastActivityAt from createdAt and the catalog, whatever they say here.
  const base = newGameRecord(newGameId(gameType), {
    gameType,
    creatorId,
    players: [player(creatorId, createdAt)],
    capacity: 4,
    visibility: Visibility.PUBLIC,
    region: null,
    settings: {},
    labels: {},
    hosted: false,
    now: createdAt,
  });
  return { ...base, ...overrides };
}

/** The state machine's tables, as the service passes them. */
export const tables = {
  joinable: transitionTable(GameEvent.PLAYER_JOINING, { freeSeats: 1, hostConnected: true }),
  seatsFilled: transitionTable(GameEvent.SEATS_FILLED, { freeSeats: 0, hostConnected: true }),
  seatFreed: hostTables(GameEvent.SEAT_FREED, 1),
};

export function joinCmd(game: Pick<GameRecord, "id" | "gameType">, playerId: string, joinCode: string | null = null): JoinCommand {
  return {
    ref: { gameType: game.gameType, id: game.id },
    player: player(playerId),
    joinCode,
    joinable: tables.joinable,
    seatsFilled: tables.seatsFilled,
    now: tick(),
  };
}

export function leaveCmd(game: Pick<GameRecord, "id" | "gameType">, playerId: string): LeaveCommand {
  return { ref: { gameType: game.gameType, id: game.id }, playerId, seatFreed: tables.seatFreed, now: tick() };
}

/** A normalized filter over both test types, PUBLIC, no other condition, unless overridden. */
export function filterOf(overrides: Partial<NormalizedFilter> = {}): NormalizedFilter {
  return {
    gameTypes: [DUEL, PARTY],
    states: null,
    visibility: Visibility.PUBLIC,
    minFreeSeats: 0,
    regions: null,
    labels: [],
    includeWaitingForHost: false,
    ...overrides,
  };
}

export const sortOf = (field = SortField.CREATED_AT, direction = SortDirection.ASC): GameSort => ({ field, direction });

export const ALL_SORTS: readonly GameSort[] = [SortField.CREATED_AT, SortField.FREE_SEATS].flatMap((f) =>
  [SortDirection.ASC, SortDirection.DESC].map((d) => sortOf(f, d)),
);
