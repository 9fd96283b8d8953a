import { ALL_STATES, type GameRecord, type PlayerRecord } from "../domain/game.js";
import type { GameTypeDef } from "../domain/game-type.js";
import { encodeCursor, type Page } from "../domain/paging.js";
import type { GameType } from "./game-type.type.js";
import type { GameConnection, Player, Seat } from "./game.type.js";

// A type definition never changes once in a catalog (a new catalog brings new objects), so its
// GraphQL shape is made once per definition instead of once per game of every page.
const gameTypes = new WeakMap<GameTypeDef, GameType>();

/** Edge conversions from domain records (ms times) to GraphQL shapes (Dates). */
export function toGameType(def: GameTypeDef): GameType {
  let t = gameTypes.get(def);
  if (t === undefined) gameTypes.set(def, (t = gameTypeOf(def)));
  return t;
}

function gameTypeOf(def: GameTypeDef): GameType {
  return {
    id: def.id,
    name: def.name,
    description: def.description,
    minPlayers: def.minPlayers,
    maxPlayers: def.maxPlayers,
    settingsSchema: def.settingsSchema,
    labels: Object.entries(def.labels).map(([key, kind]) => ({ key, kind })),
    regions: def.regions,
    stateTimeouts: ALL_STATES.map((state) => ({ state, seconds: def.stateTimeouts[state] })),
    seatReservationSeconds: def.seatReservationSeconds,
    hasGameServer: def.serverUrl !== null,
    hostLeaves: def.hostLeaves,
    quickJoinPrefer: def.quickJoin.prefer,
  };
}

/**
 * A record is a Player as it is: GraphQL reads only the fields the type declares (id, name),
 * and a record handed to the resolvers is the caller's copy, never the store's.
 */
export const toPlayer = (p: PlayerRecord): Player => p;

export const toSeat = (p: PlayerRecord): Seat => ({ player: p, joinedAt: new Date(p.joinedAt), confirmed: p.confirmed });

/** The node stays a record: Game's field resolvers finish it with the caller in view. */
export function toConnection(page: Page): Omit<GameConnection, "edges"> & { edges: { cursor: string; node: GameRecord }[] } {
  // Encoded when read: a page whose selection has no `cursor` does not pay for 20 of them.
  const edges = page.items.map((it) => ({
    node: it.game,
    get cursor() {
      return encodeCursor(it.cursor);
    },
  }));
  return {
    edges,
    totalCount: page.totalCount,
    totalCountCapped: page.totalCountCapped,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      // May lie past the last edge (or exist without edges) when the search stopped at its scan budget.
      endCursor: page.endCursor === null ? null : encodeCursor(page.endCursor),
    },
  };
}
