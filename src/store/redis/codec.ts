import type { GameRecord, GameState, LabelValue, PlayerRecord, Visibility } from "../../domain/game.js";
import type { LabelKind } from "../../domain/game-type.js";
import type { RedisKeys } from "./keys.js";

/** A sorted set a game is in for life (until update or delete); score "" means createdAt. */
export interface StaticIndex {
  key: string;
  score: string;
}

/** The static indexes of one game: always a visibility index, a region index when it has a region, label indexes. */
export interface GameIndexes {
  visibility: string;
  region: string | null;
  labels: StaticIndex[];
}

const PLAYER_FIELD = "p:";

/**
 * The label indexes of `labels`: only labels the type declares, and only values of the
 * declared kind (a number for "number", a string for "string") are indexed, because
 * filters on any other value can never match (see matchesFilter).
 */
export function labelIndexes(
  keys: RedisKeys,
  type: string,
  kinds: Readonly<Record<string, LabelKind>>,
  labels: Readonly<Record<string, LabelValue>>,
): StaticIndex[] {
  const out: StaticIndex[] = [];
  for (const [key, kind] of Object.entries(kinds)) {
    const value = labels[key];
    if (kind === "string" && typeof value === "string") out.push({ key: keys.stringLabelIndex(type, key, value), score: "" });
    if (kind === "number" && typeof value === "number" && Number.isFinite(value)) {
      out.push({ key: keys.numberLabelIndex(type, key), score: String(value) });
    }
  }
  return out;
}

/**
 * The hash of a new game as field/value pairs, including the static index keys it is
 * entered in (so delete can remove it without rebuilding keys in Lua). Nullable fields
 * are left out when null. Version is always 1.
 */
export function encodeGame(game: GameRecord, ix: GameIndexes): string[] {
  const f: string[] = [
    "id", game.id,
    "gameType", game.gameType,
    "state", game.state,
    "creatorId", game.creatorId,
    "capacity", String(game.capacity),
    "visibility", game.visibility,
    "settings", JSON.stringify(game.settings),
    "labels", JSON.stringify(game.labels),
    "version", "1",
    "createdAt", String(game.createdAt),
    "updatedAt", String(game.updatedAt),
    "pids", JSON.stringify(game.players.map((p) => p.id)),
    "ixVis", ix.visibility,
    "ixLbl", JSON.stringify(ix.labels.map((l) => l.key)),
  ];
  for (const p of game.players) f.push(PLAYER_FIELD + p.id, encodePlayer(p));
  if (game.joinCode !== null) f.push("joinCode", game.joinCode);
  if (game.region !== null) f.push("region", game.region);
  if (ix.region !== null) f.push("ixRegion", ix.region);
  if (game.result !== null) f.push("result", JSON.stringify(game.result));
  if (game.serverToken !== null) f.push("serverToken", game.serverToken);
  if (game.expiresAt !== null) f.push("expiresAt", String(game.expiresAt));
  return f;
}

export const encodePlayer = (p: PlayerRecord): string => JSON.stringify(p);

// cjson writes an empty array as {}: anything that is not an array is no entries.
const list = (raw: string | undefined): string[] => {
  const v: unknown = raw === undefined ? [] : JSON.parse(raw);
  return Array.isArray(v) ? (v as string[]) : [];
};
const object = <T>(raw: string | undefined): T => {
  const v: unknown = raw === undefined ? {} : JSON.parse(raw);
  return (v !== null && typeof v === "object" && !Array.isArray(v) ? v : {}) as T;
};

/** Rebuilds a game from a hash read as a flat field/value list. Throws on a malformed hash (a bug, not a refusal). */
export function decodeGame(flat: readonly string[]): GameRecord {
  const h = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) h.set(flat[i]!, flat[i + 1]!);
  const req = (field: string): string => {
    const v = h.get(field);
    if (v === undefined) throw new Error(`Stored game is missing field "${field}".`);
    return v;
  };
  const opt = (field: string): string | null => h.get(field) ?? null;
  const expiresAt = opt("expiresAt");
  const result = opt("result");
  return {
    id: req("id"),
    gameType: req("gameType"),
    state: req("state") as GameState,
    creatorId: req("creatorId"),
    players: list(h.get("pids")).map((id) => JSON.parse(req(PLAYER_FIELD + id)) as PlayerRecord),
    capacity: Number(req("capacity")),
    visibility: req("visibility") as Visibility,
    joinCode: opt("joinCode"),
    region: opt("region"),
    settings: object<Record<string, unknown>>(h.get("settings")),
    labels: object<Record<string, LabelValue>>(h.get("labels")),
    result: result === null ? null : (JSON.parse(result) as Record<string, string>),
    serverToken: opt("serverToken"),
    version: Number(req("version")),
    createdAt: Number(req("createdAt")),
    updatedAt: Number(req("updatedAt")),
    expiresAt: expiresAt === null ? null : Number(expiresAt),
  };
}
