import { partyExpiresAt, type PartyRecord, type PartyRef } from "../../domain/party.js";
import type { PartyGuard, PartyStore } from "../game-store.js";
import { storeErrors } from "../store-errors.js";

/**
 * Parties in memory, forgotten PARTY_IDLE_MS after their last change on the commands' clock
 * (purged from the oldest end, so memory holds the parties of one idle window), with the
 * guard the join and quickJoin of a party use. Same refusals as the Redis store.
 */
export function createMemoryParties() {
  // Insertion order is last-change order: a write re-inserts.
  const parties = new Map<string, PartyRecord>();
  const purge = (now: number) => {
    for (const [id, p] of parties) {
      if (partyExpiresAt(p) > now) return;
      parties.delete(id);
    }
  };
  const live = (id: string, now: number) => {
    purge(now);
    const p = parties.get(id);
    return p && partyExpiresAt(p) > now ? p : undefined;
  };
  const write = (p: PartyRecord) => {
    parties.delete(p.id);
    parties.set(p.id, structuredClone(p));
  };

  const store: PartyStore = {
    async getParty(ref: PartyRef, now: number) {
      const p = live(ref.id, now);
      return p && p.gameType === ref.gameType ? structuredClone(p) : null;
    },
    async putParty(party, expectedVersion) {
      const current = live(party.id, party.updatedAt);
      if ((current?.version ?? null) !== expectedVersion) throw storeErrors.partyChanged();
      write(party);
    },
    async deleteParty(ref, expectedVersion) {
      const current = parties.get(ref.id);
      if (current?.version !== expectedVersion) throw storeErrors.partyChanged();
      parties.delete(ref.id);
    },
  };

  return {
    store,
    /** Throws when seats read from a party no longer match it (gone: PARTY_NOT_FOUND; changed: isPartyChanged). */
    check(guard: PartyGuard | null | undefined, now: number): void {
      if (!guard) return;
      const p = live(guard.id, now);
      if (!p) throw storeErrors.partyGone();
      if (p.version !== guard.version) throw storeErrors.partyChanged();
    },
    /** Records where a checked party was seated (version + 1). Never throws. */
    seated(guard: PartyGuard | null | undefined, gameId: string, now: number): void {
      if (!guard) return;
      const p = parties.get(guard.id);
      if (p) write({ ...p, version: p.version + 1, seatedIn: gameId, updatedAt: now });
    },
  };
}

export type MemoryParties = ReturnType<typeof createMemoryParties>;
