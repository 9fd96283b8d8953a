import { describe, expect, it } from "vitest";
import type { ChangeBus } from "../../src/bus/change-bus.js";
import { newTicketId, type TicketChange } from "../../src/domain/tickets/ticket-record.js";
import { searchingTicket } from "../support/tickets.js";

const T0 = 1_900_000_000_000;

const changeOf = (id: string, version: number): TicketChange => ({ ticket: searchingTicket(T0, { id, version }), previousStatus: null });

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms))]);

/**
 * What watchers rely on to read state without missing a change: once a watcher's `ready` has
 * settled, a change published from any connection reaches it. The Redis buses publish on the
 * data connection and listen on a subscriber connection of their own, as across API instances.
 */
export function describeBusContract(name: string, makeBus: () => Promise<ChangeBus>) {
  describe(`change bus (${name})`, () => {
    it("delivers a change published the moment a watcher is ready, on every one of 100 fresh topics", async () => {
      const bus = await makeBus();
      try {
        for (let i = 0; i < 100; i++) {
          const id = newTicketId("duel");
          const w = bus.subscribe<TicketChange>([bus.topics.ticket(id)]);
          await w.ready;
          await bus.publishTicket(changeOf(id, 1));
          expect((await within(w.next(), 2_000, `topic ${i}`)).value).toMatchObject({ ticket: { id, version: 1 } });
          await w.return();
        }
      } finally {
        await bus.close();
      }
    });

    it("forgets a topic once its last watcher has gone, however many topics were watched", async () => {
      const bus = await makeBus();
      try {
        const watchers = Array.from({ length: 1_000 }, () => bus.subscribe<TicketChange>([bus.topics.ticket(newTicketId("duel"))]));
        await Promise.all(watchers.map((w) => w.ready));
        expect(bus.watchedTopics()).toBe(1_000);
        await Promise.all(watchers.map((w) => w.return()));
        expect(bus.watchedTopics()).toBe(0);
      } finally {
        await bus.close();
      }
    });

    it("makes a second watcher of a topic ready only once the first one's subscription is in place", async () => {
      const bus = await makeBus();
      try {
        for (let i = 0; i < 100; i++) {
          const id = newTicketId("duel");
          const first = bus.subscribe<TicketChange>([bus.topics.ticket(id)]);
          const second = bus.subscribe<TicketChange>([bus.topics.ticket(id)]);
          await second.ready;
          await bus.publishTicket(changeOf(id, 1));
          expect((await within(second.next(), 2_000, `second watcher of topic ${i}`)).value).toMatchObject({ ticket: { id } });
          expect((await within(first.next(), 2_000, `first watcher of topic ${i}`)).value).toMatchObject({ ticket: { id } });
          await Promise.all([first.return(), second.return()]);
        }
      } finally {
        await bus.close();
      }
    });
  });
}
