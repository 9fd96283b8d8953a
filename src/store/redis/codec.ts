import type { GameMatch, GameRecord, GameState, LabelValue, PlayerRecord, Visibility } from "../../domain/game.js";
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
  if (game.match) f.push("match", JSON.stringify(game.match));
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
const missing = (field: string): never => {
  throw new Error(`Stored game is missing field "${field}".`);
};
// Char codes of the prefixes' first letters and of ":".
const P = 0x70;
const R = 0x72;
const L = 0x6c;
const COLON = 0x3a;

/**
 * Rebuilds a game from a hash read as a flat field/value list. Throws on a malformed hash (a bug, not a refusal).
 * One pass over the list, no intermediate Map of every field (it runs for every game of every page).
 */
export function decodeGame(flat: readonly string[]): GameRecord {
  let id: string | undefined;
  let gameType: string | undefined;
  let state: string | undefined;
  let creatorId: string | undefined;
  let capacity: string | undefined;
  let visibility: string | undefined;
  let settings: string | undefined;
  let version: string | undefined;
  let createdAt: string | undefined;
  let updatedAt: string | undefined;
  let expiresAt: string | undefined;
  let lastActivityAt: string | undefined;
  let pids: string | undefined;
  let joinCode: string | undefined;
  let region: string | undefined;
  let result: string | undefined;
  let serverToken: string | undefined;
  let match: string | undefined;
  let waiting = false;
  // Player and reservation fields by their full field name (p:ID, r:ID).
  let seats: Map<string, string> | null = null;
  const labels: Record<string, LabelValue> = {};
  const n = flat.length - 1;
  for (let i = 0; i < n; i += 2) {
    const f = flat[i]!;
    const v = flat[i + 1]!;
    if (f.length >= 2 && f.charCodeAt(1) === COLON) {
      const c = f.charCodeAt(0);
      if (c === P || c === R) {
        (seats ??= new Map()).set(f, v);
        continue;
      }
      if (c === L) {
        const label = f.slice(2);
        const value = JSON.parse(v) as LabelValue;
        // An own data property whatever the label is called (as Object.fromEntries makes it).
        if (label === "__proto__") Object.defineProperty(labels, label, { value, writable: true, enumerable: true, configurable: true });
        else labels[label] = value;
        continue;
      }
    }
    switch (f) {
      case "id": id = v; break;
      case "gameType": gameType = v; break;
      case "state": state = v; break;
      case "creatorId": creatorId = v; break;
      case "capacity": capacity = v; break;
      case "visibility": visibility = v; break;
      case "settings": settings = v; break;
      case "version": version = v; break;
      case "createdAt": createdAt = v; break;
      case "updatedAt": updatedAt = v; break;
      case "expiresAt": expiresAt = v; break;
      case "lastActivityAt": lastActivityAt = v; break;
      case "pids": pids = v; break;
      case "joinCode": joinCode = v; break;
      case "region": region = v; break;
      case "result": result = v; break;
      case "serverToken": serverToken = v; break;
      case "match": match = v; break;
      case WAITING_FIELD: waiting = true; break;
    }
  }
  // Required fields checked in the record's order, so a broken hash names the same field as always.
  if (id === undefined) missing("id");
  if (gameType === undefined) missing("gameType");
  if (state === undefined) missing("state");
  if (creatorId === undefined) missing("creatorId");
  const ids = list(pids);
  const players: PlayerRecord[] = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const pid = ids[i]!;
    const json = seats?.get(PLAYER_FIELD + pid);
    if (json === undefined) missing(PLAYER_FIELD + pid);
    players[i] = decodePlayer(json!, seats?.get(RESERVATION_FIELD + pid));
  }
  if (capacity === undefined) missing("capacity");
  if (visibility === undefined) missing("visibility");
  if (version === undefined) missing("version");
  if (createdAt === undefined) missing("createdAt");
  if (updatedAt === undefined) missing("updatedAt");
  if (lastActivityAt === undefined) missing("lastActivityAt");
  return {
    id: id!,
    gameType: gameType!,
    state: state as GameState,
    creatorId: creatorId!,
    players,
    capacity: Number(capacity),
    visibility: visibility as Visibility,
    joinCode: joinCode ?? null,
    region: region ?? null,
    settings: object<Record<string, unknown>>(settings),
    labels,
    result: result === undefined ? null : (JSON.parse(result) as Record<string, string>),
    serverToken: serverToken ?? null,
    hostConnected: !waiting,
    version: Number(version),
    createdAt: Number(createdAt),
    updatedAt: Number(updatedAt),
    expiresAt: expiresAt === undefined ? null : Number(expiresAt),
    lastActivityAt: Number(lastActivityAt),
    ...(match === undefined ? {} : { match: JSON.parse(match) as GameMatch }),
  };
}

function decodePlayer(json: string, reservation: string | undefined): PlayerRecord {
  const p = JSON.parse(json) as Pick<PlayerRecord, "id" | "name" | "joinedAt">;
  const confirmed = reservation === undefined;
  const reservedUntil = confirmed || reservation === NO_DEADLINE ? null : Number(reservation);
  return { id: p.id, name: p.name, joinedAt: p.joinedAt, confirmed, reservedUntil };
}
