import { EventEmitter } from "node:events";
import { PubSub } from "graphql-subscriptions";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createChangeBus } from "../../src/bus/change-bus.js";
import { parseQueue } from "../../src/config/catalog-queues.js";
import { createCatalog } from "../../src/domain/game-type.js";
import { TicketStatus } from "../../src/domain/tickets/ticket-record.js";
import type { GameServerClient } from "../../src/gameserver/game-server-client.js";
import { createGameService } from "../../src/service/game-service.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { createMemoryEventStream } from "../../src/stream/memory-event-stream.js";
import { actor, typeDef } from "../support/games.js";

/**
 * A pub/sub engine whose subscriptions take effect only when the test opens the gate, as
 * Redis's do once SUBSCRIBE is answered on the subscriber connection: what is published
 * before then reaches no one.
 */
class SlowToSubscribe extends PubSub {
  private open!: () => void;
  private readonly opened = new Promise<void>((resolve) => (this.open = resolve));
  constructor() {
    super({ eventEmitter: new EventEmitter().setMaxListeners(0) });
  }
  override async subscribe(trigger: string, onMessage: (payload: unknown) => void): Promise<number> {
    await this.opened;
    return super.subscribe(trigger, onMessage);
  }
  letSubscriptionsThrough(): void {
    this.open();
  }
}

describe("a ticket's watch, on a bus slow to subscribe", () => {
  it("reads the ticket only once subscribed, so a change made meanwhile is what the player sees first", async () => {
    const queue = parseQueue({ id: "ranked", teams: { count: 2, size: 1 }, rating: { initialWindow: 50, expansion: { kind: "linear", perSecond: 10 }, maxWindow: 200 } });
    const engine = new SlowToSubscribe();
    const service = createGameService({
      store: createMemoryStore({ catalog: createCatalog([typeDef("duel", 2, {}, undefined, { queues: [queue] })]) }),
      bus: createChangeBus({ engine, prefix: "slow" }),
      stream: createMemoryEventStream(),
      catalog: createCatalog([typeDef("duel", 2, {}, undefined, { queues: [queue] })]),
      gameServers: { hasServer: () => false } as unknown as GameServerClient,
      validateSettings: () => ({}),
      logger: pino({ level: "silent" }),
    });
    const alice = actor("alice");
    const ticket = await service.enqueueMatchTicket(alice, { gameType: "duel", queue: "ranked", rating: 1500 });
    const watching = service.watchTicket(alice, ticket.id, null);
    // The cancel is stored and published while the watch's subscription is still being made.
    await service.cancelMatchTicket(alice, ticket.id);
    engine.letSubscriptionsThrough();
    const watch = await watching;
    const first = await watch.next();
    expect(first.value).toMatchObject({ ticket: { id: ticket.id, status: TicketStatus.CANCELLED } });
    expect((await watch.next()).done).toBe(true);
  });
});
