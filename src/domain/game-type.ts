import type { GameState } from "./game.js";
import type { QueueConfig } from "./tickets/queue.js";

export type LabelKind = "string" | "number";

/** What happens to a game when its creator leaves it (catalog key `hostLeaves`). */
export enum HostLeaves {
  /** The game is deleted and the game server told (remove_game). */
  CLOSE = "close",
  /** The longest-seated remaining player becomes creator; with nobody left the game is deleted. */
  MIGRATE = "migrate",
}

/** Which fitting game quickJoin picks first (catalog key `quickJoin.prefer`); ties go to the oldest game. */
export enum QuickJoinPreference {
  FEWEST_FREE_SEATS = "fewestFreeSeats",
  MOST_FREE_SEATS = "mostFreeSeats",
  OLDEST = "oldest",
}

export interface QuickJoinConfig {
  prefer: QuickJoinPreference;
  /** How many candidate games one quickJoin examines at most before it creates a game instead. */
  scanBudget: number;
}

/** A catalog entry (validated by src/config/catalog.ts). */
export interface GameTypeDef {
  id: string;
  name: string;
  description: string | null;
  minPlayers: number;
  maxPlayers: number;
  serverUrl: string | null;
  socketUrl: string | null;
  serverSecret: string | null;
  /** JSON Schema (draft 2020-12 subset understood by Ajv) for `settings`, defaults applied. */
  settingsSchema: Record<string, unknown>;
  /** Labels that filters may use; they are indexed. Other labels are stored but not filterable. */
  labels: Record<string, LabelKind>;
  /** Seconds a game may stay in a state without activity before it expires. */
  stateTimeouts: Record<GameState, number>;
  seatReservationSeconds: number;
  /** Allowed regions; empty means any region string is accepted. */
  regions: string[];
  hostLeaves: HostLeaves;
  quickJoin: QuickJoinConfig;
  /** Skill-based ticket matchmaking queues (catalog key `queues`); absent or [] = none. */
  queues?: readonly QueueConfig[];
}

export interface Catalog {
  readonly types: readonly GameTypeDef[];
  get(id: string): GameTypeDef | undefined;
}

export function createCatalog(types: readonly GameTypeDef[]): Catalog {
  const byId = new Map(types.map((t) => [t.id, t]));
  return { types, get: (id) => byId.get(id) };
}

/** Whether games of `type` live on a game server (it has a control URL): they wait in CREATED for their host. */
export const hasGameServer = (type: Pick<GameTypeDef, "serverUrl">): boolean => type.serverUrl !== null;
