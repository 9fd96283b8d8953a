/**
 * A watcher that starts while its channel's master is failing over: its `ready` must wait for
 * the subscription on the new master, because watchers read the state they continue from
 * right after `ready` (a change published in between would otherwise reach nobody).
 */
import { type Cluster, Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { createRedisBus } from "../../src/bus/redis-bus.js";
import { newTicketId, type TicketChange } from "../../src/domain/tickets/ticket-record.js";
import { randomPrefix } from "../support/redis-server.js";
import { searchingTicket } from "../support/tickets.js";
import { useRedisCluster } from "./cluster-fixture.js";

const fixture = useRedisCluster({ masters: 3, replicas: 1 });

describe("sharded pub/sub through a failover", () => {
  it("makes a watcher that starts during a failover ready only once its channel is subscribed on the new master", { timeout: 60_000 }, async () => {
    const prefix = randomPrefix();
    const client = fixture.client() as Cluster;
    const bus = createRedisBus(client, prefix);
    try {
      const id = newTicketId("duel");
      const topic = bus.topics.ticket(id);
      const victim = await fixture.cluster().masterOf(topic);
      process.kill(victim.pid, "SIGKILL");
      await new Promise((r) => setTimeout(r, 100));
      const watcher = bus.subscribe<TicketChange>([topic]);
      await watcher.ready;
      // At that moment some live node has the subscription (the dead master's went with it).
      const live = fixture.cluster().nodes.filter((n) => n.port !== victim.port);
      const counts = await Promise.all(
        live.map(async (n) => {
          const r = new Redis({ port: n.port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0 });
          try {
            await r.connect();
            const reply = (await r.call("PUBSUB", "SHARDNUMSUB", topic)) as [string, number];
            return Number(reply[1]);
          } finally {
            r.disconnect();
          }
        }),
      );
      expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
      // Published on the first try that works: a watcher that is ready hears it.
      const change: TicketChange = { ticket: searchingTicket(1_900_000_000_000, { id, version: 1 }), previousStatus: null };
      for (let attempt = 0; ; attempt++) {
        try {
          await bus.publishTicket(change);
          break;
        } catch (err) {
          if (attempt > 150) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const heard = await Promise.race([watcher.next(), new Promise<null>((r) => setTimeout(() => r(null), 3_000))]);
      expect(heard?.value).toMatchObject({ ticket: { id, version: 1 } });
      await watcher.return();
    } finally {
      await bus.close();
    }
  });
});
