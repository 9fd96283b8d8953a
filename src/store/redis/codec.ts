import type { GameRecord, GameState, LabelValue, PlayerRecord, Visibility } from "../../domain/game.js";
import type { LabelKind } from "../../domain/game-type.js";
import { resultText } from "../deadlines.js";
import type { RedisKeys } from "./keys.js";

/** A sorted set a game is in for life (until update or delete); score "" means createdAt. */
export interface StaticIndex {
  key: string;
  score: string;
}

/** The index of one declared label. */
export interface LabelIndex extends StaticIndex {
  label: string;
}

/** The static indexes of one game: always a visibility index, a region index when it has a region, label indexes. */
export interface GameIndexes {
  visibility: string;
  region: string | null;
  labels: LabelIndex[];
  /** The quick-join indexes the game is in while it qualifies (the type's, and its region's). */
  quickJoin: string[];
  /** The type's join-code hash. */
  codes: string;
  /** The waiting-for-host index while the game is in it (hostConnected false), else null. */
  waiting: string | null;
  /** Where removing the game leaves its tombstone. */
  tombstone: string;
}

// Hash field prefixes: one field per player, per unconfirmed seat and per label, so the
// scripts change one of them without decoding and re-encoding JSON.
const PLAYER_FIELD = "p:";
const RESERVATION_FIELD = "r:";
const LABEL_FIELD = "l:";
// Reservation field value of an unconfirmed seat that has no deadline.
const NO_DEADLINE = "-";
const WAITING_FIELD = "waitIx";

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
): LabelIndex[] {
  const out: LabelIndex[] = [];
  for (const [label, kind] of Object.entries(kinds)) {
    if (!Object.hasOwn(labels, label)) continue;
    const value = labels[label];
    if (kind === "string" && typeof value === "string") out.push({ label, key: keys.stringLabelIndex(type, label, value), score: "" });
    if (kind === "number" && typeof value === "number" && Number.isFinite(value)) {
      out.push({ label, key: keys.numberLabelIndex(type, label), score: String(value) });
    }
  }
  return out;
}

/** Label writes for a script (see writeLabels in lua/includes/game.lua) and the index KEYS they name. */
export interface LabelWrites {
  /** JSON array of [label, value as JSON, KEYS position of its index (0 = not indexed), score ("" = createdAt)]. */
  entries: string;
  keys: string[];
}

/** {@link LabelWrites} for `labels`, whose index keys will sit at KEYS[firstKey…]. Never throws. */
export function labelWrites(
  keys: RedisKeys,
  type: string,
  kinds: Readonly<Record<string, LabelKind>>,
  labels: Readonly<Record<string, LabelValue>>,
  firstKey: number,
): LabelWrites {
  const indexed = new Map(labelIndexes(keys, type, kinds, labels).map((ix) => [ix.label, ix]));
  const out: LabelWrites = { entries: "", keys: [] };
  const entries = Object.entries(labels).map(([label, value]) => {
    const ix = indexed.get(label);
    if (ix) out.keys.push(ix.key);
    return [label, JSON.stringify(value), ix ? firstKey + out.keys.length - 1 : 0, ix?.score ?? ""];
  });
  out.entries = JSON.stringify(entries);
  return out;
}

/**
 * The hash of a new game as field/value pairs, including the static index keys it is
 * entered in (so delete can remove it without rebuilding keys in Lua). Nullable fields
 * are left out when null. Version is always 1; expiresAt and lastActivityAt are left
 * to the create script, which computes them.
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
    "version", "1",
    "createdAt", String(game.createdAt),
    "updatedAt", String(game.updatedAt),
    "pids", JSON.stringify(game.players.map((p) => p.id)),
    "ixVis", ix.visibility,
    // label → index key, so a label change can drop exactly that label's old index entry.
    "ixLbl", JSON.stringify(Object.fromEntries(ix.labels.map((l) => [l.label, l.key]))),
    // Kept on the game so every script can keep these in step without building keys in Lua.
    "ixQj", JSON.stringify(ix.quickJoin),
    "ixCode", ix.codes,
    "ixGone", ix.tombstone,
  ];
  // Present exactly while the host has not connected: its presence is hostConnected = false.
  if (ix.waiting !== null) f.push(WAITING_FIELD, ix.waiting);
  for (const p of game.players) {
    f.push(PLAYER_FIELD + p.id, encodePlayer(p));
    const r = reservationOf(p);
    if (r !== "") f.push(RESERVATION_FIELD + p.id, r);
  }
  for (const [label, value] of Object.entries(game.labels)) f.push(LABEL_FIELD + label, JSON.stringify(value));
  if (game.joinCode !== null) f.push("joinCode", game.joinCode);
  if (game.region !== null) f.push("region", game.region);
  if (ix.region !== null) f.push("ixRegion", ix.region);
  if (game.result !== null) f.push("result", resultText(game.result));
  if (game.serverToken !== null) f.push("serverToken", game.serverToken);
  return f;
}

/** The player's fixed part as JSON; whether the seat is confirmed lives in its reservation field. Never throws. */
export const encodePlayer = (p: PlayerRecord): string => JSON.stringify({ id: p.id, name: p.name, joinedAt: p.joinedAt });

/** The reservation field value of a seat: "" when confirmed (no field), else its deadline or "-". Never throws. */
export const reservationOf = (p: PlayerRecord): string =>
  p.confirmed ? "" : p.reservedUntil === null ? NO_DEADLINE : String(p.reservedUntil);

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
  const num = (field: string): number | null => {
    const v = opt(field);
    return v === null ? null : Number(v);
  };
  const result = opt("result");
  return {
    id: req("id"),
    gameType: req("gameType"),
    state: req("state") as GameState,
    creatorId: req("creatorId"),
    players: list(h.get("pids")).map((id) => decodePlayer(req(PLAYER_FIELD + id), h.get(RESERVATION_FIELD + id))),
    capacity: Number(req("capacity")),
    visibility: req("visibility") as Visibility,
    joinCode: opt("joinCode"),
    region: opt("region"),
    settings: object<Record<string, unknown>>(h.get("settings")),
    // fromEntries makes own data properties, whatever the label is called.
    labels: Object.fromEntries(
      [...h].filter(([f]) => f.startsWith(LABEL_FIELD)).map(([f, v]) => [f.slice(LABEL_FIELD.length), JSON.parse(v) as LabelValue]),
    ),
    result: result === null ? null : (JSON.parse(result) as Record<string, string>),
    serverToken: opt("serverToken"),
    hostConnected: !h.has(WAITING_FIELD),
    version: Number(req("version")),
    createdAt: Number(req("createdAt")),
    updatedAt: Number(req("updatedAt")),
    expiresAt: num("expiresAt"),
    lastActivityAt: Number(req("lastActivityAt")),
  };
}

function decodePlayer(json: string, reservation: string | undefined): PlayerRecord {
  const p = JSON.parse(json) as Pick<PlayerRecord, "id" | "name" | "joinedAt">;
  const confirmed = reservation === undefined;
  const reservedUntil = confirmed || reservation === NO_DEADLINE ? null : Number(reservation);
  return { id: p.id, name: p.name, joinedAt: p.joinedAt, confirmed, reservedUntil };
}
