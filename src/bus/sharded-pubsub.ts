import { PubSubEngine } from "graphql-subscriptions";
import type { Cluster } from "ioredis";

type Listener = (message: unknown) => void;

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2_000;

/**
 * A graphql-subscriptions engine over Redis Cluster's sharded pub/sub (SPUBLISH/SSUBSCRIBE,
 * Redis ≥ 7): a message goes only to the node owning its channel's slot and its replicas,
 * not to every node as plain PUBLISH does in a cluster. One SSUBSCRIBE per channel while
 * any local listener holds it (channels of one subscription may live on different nodes).
 *
 * Subscribing never fails: while the channel's master is away (a failover) the SSUBSCRIBE is
 * retried with back-off until it succeeds or nobody listens any more, so a watcher that
 * starts during a failover starts hearing once the new master is there. ioredis subscribes
 * again itself after a failover of an established channel; slot moves are caught by the
 * subscriber client's periodic slot refresh (see redis-bus.ts).
 */
export class ShardedPubSub extends PubSubEngine {
  private nextId = 0;
  private readonly subs = new Map<number, { channel: string; listener: Listener }>();
  private readonly byChannel = new Map<string, Set<Listener>>();
  private readonly retries = new Map<string, ReturnType<typeof setTimeout>>();
  /** The first SSUBSCRIBE of each channel while it is in flight. */
  private readonly subscribing = new Map<string, Promise<void>>();
  private closed = false;

  constructor(
    private readonly publisher: Cluster,
    private readonly subscriber: Cluster,
    private readonly onSubscribeError: (channel: string, err: unknown) => void = () => {},
  ) {
    super();
    subscriber.on("smessage", (channel: string, raw: string) => {
      const listeners = this.byChannel.get(channel);
      if (!listeners || listeners.size === 0) return;
      let message: unknown;
      try {
        message = JSON.parse(raw);
      } catch {
        return; // not ours: every message this project sends is JSON
      }
      for (const l of listeners) l(message);
    });
  }

  async publish(channel: string, payload: unknown): Promise<void> {
    await this.publisher.spublish(channel, typeof payload === "string" ? payload : JSON.stringify(payload));
  }

  async subscribe(channel: string, onMessage: (...args: unknown[]) => unknown): Promise<number> {
    const id = ++this.nextId;
    // A listener whose iterator has ended may reject: never let that become an unhandled rejection.
    const listener: Listener = (m) => {
      try {
        void Promise.resolve(onMessage(m)).catch(() => {});
      } catch {
        // the same, thrown synchronously
      }
    };
    this.subs.set(id, { channel, listener });
    let listeners = this.byChannel.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.byChannel.set(channel, listeners);
    }
    listeners.add(listener);
    if (listeners.size === 1) {
      const first = this.ssubscribe(channel, RETRY_MIN_MS);
      this.subscribing.set(channel, first);
      await first.finally(() => this.subscribing.get(channel) === first && this.subscribing.delete(channel));
    } else {
      // A second listener joining while the first SSUBSCRIBE is in flight is subscribed when that is.
      await this.subscribing.get(channel);
    }
    return id;
  }

  unsubscribe(id: number): void {
    const sub = this.subs.get(id);
    if (!sub) return;
    this.subs.delete(id);
    const listeners = this.byChannel.get(sub.channel);
    listeners?.delete(sub.listener);
    if (listeners && listeners.size === 0) {
      this.byChannel.delete(sub.channel);
      clearTimeout(this.retries.get(sub.channel));
      this.retries.delete(sub.channel);
      // A failed SUNSUBSCRIBE leaves a channel whose messages nobody listens to; dropped above.
      this.subscriber.sunsubscribe(sub.channel).catch(() => {});
    }
  }

  /** Stops retrying subscriptions (the bus is closing). */
  close(): void {
    this.closed = true;
    for (const t of this.retries.values()) clearTimeout(t);
    this.retries.clear();
  }

  /** Channels this process listens to (for tests and metrics). */
  channels(): string[] {
    return [...this.byChannel.keys()];
  }

  /** The first attempt is awaited (so a healthy cluster has subscribed when subscribe resolves); failures retry in the background. */
  private async ssubscribe(channel: string, delayMs: number): Promise<void> {
    try {
      await this.subscriber.ssubscribe(channel);
    } catch (err) {
      if (this.closed || !this.byChannel.has(channel)) return;
      this.onSubscribeError(channel, err);
      clearTimeout(this.retries.get(channel));
      this.retries.set(
        channel,
        setTimeout(() => {
          this.retries.delete(channel);
          if (!this.closed && this.byChannel.has(channel)) void this.ssubscribe(channel, Math.min(delayMs * 2, RETRY_MAX_MS));
        }, delayMs),
      );
    }
  }
}

/**
 * The masters of `cluster` (host:port) that do not know SPUBLISH (Redis < 7, or the command
 * renamed away), and those that would not say (COMMAND refused, e.g. by an ACL).
 */
export async function shardedPubSubSupport(cluster: Cluster): Promise<{ lacking: string[]; unknown: string[] }> {
  const masters = cluster.nodes("master");
  const known = await Promise.all(
    masters.map((n) =>
      (n.call("COMMAND", "INFO", "SPUBLISH") as Promise<unknown[]>).then(
        (info) => (info[0] != null ? "yes" : "no"),
        () => "unknown",
      ),
    ),
  );
  const where = (answer: string) => masters.filter((_, i) => known[i] === answer).map((n) => `${n.options.host}:${n.options.port}`);
  return { lacking: where("no"), unknown: where("unknown") };
}
