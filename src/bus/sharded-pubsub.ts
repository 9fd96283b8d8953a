import { PubSubEngine } from "graphql-subscriptions";
import type { Cluster } from "ioredis";

type Listener = (message: unknown) => void;

/**
 * A graphql-subscriptions engine over Redis Cluster's sharded pub/sub (SPUBLISH/SSUBSCRIBE,
 * Redis ≥ 7): a message goes only to the node owning its channel's slot and its replicas,
 * not to every node as plain PUBLISH does in a cluster. One SSUBSCRIBE per channel while
 * any local listener holds it (channels of one subscription may live on different nodes);
 * ioredis re-subscribes after a failover or a slot move.
 */
export class ShardedPubSub extends PubSubEngine {
  private nextId = 0;
  private readonly subs = new Map<number, { channel: string; listener: Listener }>();
  private readonly byChannel = new Map<string, Set<Listener>>();
  private readonly subscribing = new Map<string, Promise<unknown>>();

  constructor(
    private readonly publisher: Cluster,
    private readonly subscriber: Cluster,
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

  /** Publishes already serialized JSON (one serialization for several channels). */
  async publishRaw(channel: string, json: string): Promise<void> {
    await this.publisher.spublish(channel, json);
  }

  async subscribe(channel: string, onMessage: (...args: unknown[]) => void): Promise<number> {
    const id = ++this.nextId;
    const listener: Listener = (m) => onMessage(m);
    this.subs.set(id, { channel, listener });
    let listeners = this.byChannel.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.byChannel.set(channel, listeners);
    }
    listeners.add(listener);
    if (listeners.size === 1) {
      const pending = this.subscriber.ssubscribe(channel);
      this.subscribing.set(channel, pending);
      try {
        await pending;
      } catch (err) {
        this.unsubscribe(id);
        throw err;
      } finally {
        if (this.subscribing.get(channel) === pending) this.subscribing.delete(channel);
      }
    } else {
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
      // A failed SUNSUBSCRIBE leaves a channel whose messages nobody listens to; dropped above.
      this.subscriber.sunsubscribe(sub.channel).catch(() => {});
    }
  }

  /** Channels this process listens to (for tests and metrics). */
  channels(): string[] {
    return [...this.byChannel.keys()];
  }
}
