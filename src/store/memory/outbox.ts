import { randomUUID } from "node:crypto";
import type { ControlCall, ControlOutbox, PendingControlCall } from "../game-store.js";
import { outboxHoldMs } from "../outbox-backoff.js";

/** The embedded store's game-server outbox (same semantics as Redis, in this process's memory). Never fails. */
export function createMemoryOutbox(): ControlOutbox {
  const calls = new Map<string, PendingControlCall & { dueAt: number }>();
  return {
    async scheduleControl(call: ControlCall, dueAt, now) {
      const id = randomUUID();
      calls.set(id, { ...call, id, attempts: 0, since: now, dueAt });
      return id;
    },
    async takeDueControls(gameType, now, limit, minHoldMs = 0) {
      const due = [...calls.values()].filter((c) => c.gameType === gameType && c.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt).slice(0, Math.max(0, limit));
      return due.map((c) => {
        c.attempts += 1;
        c.dueAt = now + outboxHoldMs(c.attempts, minHoldMs);
        const { dueAt: _dueAt, ...call } = c;
        return { ...call };
      });
    },
    async completeControl(_gameType, id) {
      calls.delete(id);
    },
  };
}
