import type { PartyRecord } from "../../domain/party.js";
import type { PartyGuard, PartyStore } from "../game-store.js";
import type { RedisKeys } from "./keys.js";
import { guarded, type ScriptReply } from "./replies.js";
import { ScriptCode, scriptError } from "./script-errors.js";
import type { ScriptRunner } from "./scripts.js";
import type { RedisClient } from "../../redis/client.js";

/** A party as hash fields (members as JSON); every field written on each change. Never throws. */
function encodeParty(p: PartyRecord): string[] {
  return [
    "id", p.id,
    "gameType", p.gameType,
    "leaderId", p.leaderId,
    "members", JSON.stringify(p.members),
    "maxSize", String(p.maxSize),
    "version", String(p.version),
    "createdAt", String(p.createdAt),
    "updatedAt", String(p.updatedAt),
    "seatedIn", p.seatedIn ?? "",
  ];
}

function decodeParty(flat: string[]): PartyRecord {
  const h: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
  return {
    id: h.id!,
    gameType: h.gameType!,
    leaderId: h.leaderId!,
    members: JSON.parse(h.members!) as PartyRecord["members"],
    maxSize: Number(h.maxSize),
    version: Number(h.version),
    createdAt: Number(h.createdAt),
    updatedAt: Number(h.updatedAt),
    seatedIn: h.seatedIn ? h.seatedIn : null,
  };
}

/** The join and quickjoin scripts' party key and version argument ("" and a key never read without a party). */
export function partyGuardArgs(keys: RedisKeys, gameType: string, guard: PartyGuard | null | undefined): { key: string; version: string } {
  return guard ? { key: keys.party(gameType, guard.id), version: String(guard.version) } : { key: keys.party(gameType, "none"), version: "" };
}

/** Parties on Redis: one hash per party on its type's slot, expiring PARTY_IDLE_MS after its last change. */
export function createRedisParties(deps: { redis: RedisClient; keys: RedisKeys; run: ScriptRunner }): PartyStore {
  const { redis, keys, run } = deps;
  const checked = async (reply: ScriptReply, id: string) => {
    if (reply[0] !== ScriptCode.OK) throw scriptError(reply[0], id, undefined);
  };
  return {
    async getParty(ref) {
      const flat = await guarded(() => redis.call("HGETALL", keys.party(ref.gameType, ref.id)));
      return Array.isArray(flat) && flat.length > 0 ? decodeParty(flat as string[]) : null;
    },
    async putParty(party, expectedVersion) {
      const key = keys.party(party.gameType, party.id);
      const reply = (await guarded(() => run("partyPut", [key], [expectedVersion === null ? "" : String(expectedVersion), ...encodeParty(party)]))) as ScriptReply;
      await checked(reply, party.id);
    },
    async deleteParty(ref, expectedVersion) {
      const reply = (await guarded(() => run("partyDelete", [keys.party(ref.gameType, ref.id)], [String(expectedVersion)]))) as ScriptReply;
      await checked(reply, ref.id);
    },
  };
}
