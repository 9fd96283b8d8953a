import { GameState, stateFromWireName } from "./game.js";

/** Stream field names of the original matchmaker (docs/game-server-contract.md §4). */
export const FIELD = {
  gameType: "product_id",
  gameId: "game_id",
  type: "type",
  eventId: "event_id",
  ts: "ts",
  newState: "new_state",
  playerId: "player_id",
} as const;

export const META_PREFIX = "meta.";

export enum EventType {
  STATE_CHANGE = "state_change",
  PLAYER_DISCONNECT = "player_disconnect",
  GAME_REMOVED = "game_removed",
  GAME_OVER = "game_over",
  GAMEPLAY = "gameplay",
  PLAYER_CONNECTED = "player_connected",
  HEARTBEAT = "heartbeat",
  METADATA = "metadata",
}

const ENVELOPE = new Set<string>([FIELD.gameType, FIELD.gameId, FIELD.type, FIELD.eventId, FIELD.ts]);

/** A well-formed event of a known type, in domain terms. */
export type GameServerEvent = {
  gameType: string;
  gameId: string;
  eventId: string | null;
} & (
  | { type: EventType.STATE_CHANGE; newState: GameState }
  | { type: EventType.PLAYER_DISCONNECT | EventType.PLAYER_CONNECTED; playerId: string }
  | { type: EventType.GAME_OVER; result: Record<string, string> }
  | { type: EventType.METADATA; labels: Record<string, string> }
  | { type: EventType.GAME_REMOVED | EventType.GAMEPLAY | EventType.HEARTBEAT }
);

export type ParseResult =
  | { ok: true; event: GameServerEvent }
  /** Well-formed but of a type this matchmaker does not know: acked and counted, not dead-lettered. */
  | { ok: false; reason: "unknown_type"; detail: string }
  | { ok: false; reason: "malformed"; detail: string };

/**
 * Reads one stream entry as an original-generation game server writes it.
 * Never throws: anything unusable comes back as a reason for the dead-letter stream.
 */
export function parseGameEvent(fields: Record<string, string>): ParseResult {
  const gameType = fields[FIELD.gameType];
  const gameId = fields[FIELD.gameId];
  const type = fields[FIELD.type];
  // Hot path (every entry): no intermediate arrays or spreads.
  if (!gameType || !gameId || !type) {
    const missing = [FIELD.gameType, FIELD.gameId, FIELD.type].filter((f) => !fields[f]);
    return { ok: false, reason: "malformed", detail: `missing field(s): ${missing.join(", ")}` };
  }
  const eventId = fields[FIELD.eventId] || null;
  switch (type) {
    case EventType.GAMEPLAY:
    case EventType.HEARTBEAT:
    case EventType.GAME_REMOVED:
      return { ok: true, event: { gameType, gameId, eventId, type } };
    case EventType.STATE_CHANGE: {
      const wire = fields[FIELD.newState];
      const newState = wire ? stateFromWireName(wire) : undefined;
      if (!newState || newState === GameState.CREATED) {
        return {
          ok: false,
          reason: "malformed",
          detail: `state_change needs new_state (creator_joined, all_players_joined, in_progress, ended), got ${JSON.stringify(wire ?? null)}`,
        };
      }
      return { ok: true, event: { gameType, gameId, eventId, type, newState } };
    }
    case EventType.PLAYER_DISCONNECT:
    case EventType.PLAYER_CONNECTED: {
      const playerId = fields[FIELD.playerId];
      if (!playerId) return { ok: false, reason: "malformed", detail: `${type} needs player_id` };
      return { ok: true, event: { gameType, gameId, eventId, type, playerId } };
    }
    case EventType.GAME_OVER:
      return { ok: true, event: { gameType, gameId, eventId, type, result: payload(fields, (k) => k) } };
    case EventType.METADATA: {
      const labels = payload(fields, (k) => (k.startsWith(META_PREFIX) ? k.slice(META_PREFIX.length) : null));
      if (Object.keys(labels).length === 0) return { ok: false, reason: "malformed", detail: "metadata needs at least one meta.<key> field" };
      return { ok: true, event: { gameType, gameId, eventId, type, labels } };
    }
    default:
      return { ok: false, reason: "unknown_type", detail: `unknown event type "${type}"` };
  }
}

/** The event's own fields (everything but the envelope), renamed by `key` (null drops a field). */
function payload(fields: Record<string, string>, key: (k: string) => string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (ENVELOPE.has(k)) continue;
    const name = key(k);
    if (name) out[name] = v;
  }
  return out;
}
