import { PubSubEngine } from "graphql-subscriptions";
import type { Cluster } from "ioredis";

type Listener = (message: unknown) => void;

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2_000;
/**
 * One SSUBSCRIBE's wait: ioredis drops a MOVED answer to it (a slot that just moved), so the call
 * would otherwise settle only at the connection's command timeout; it is retried instead.
 */
const ATTEMPT_MS = 1_000;
/** How long a subscription keeps trying before its watcher is refused (a failover takes seconds). */
export const SUBSCRIBE_DEADLINE_MS = 15_000;

/**
 * A graphql-subscriptions engine over Redis Cluster's sharded pub/sub (SPUBLISH/SSUBSCRIBE,
 * Redis ≥ 7): a message goes only to the node owning its channel's slot and its replicas,
 * not to every node as plain PUBLISH does in a cluster. One SSUBSCRIBE per channel while
 * any local listener holds it (channels of one subscription may live on different nodes).
 *
 * subscribe() settles only once the channel is subscribed: while its master is away (a failover)
 * the SSUBSCRIBE is retried with back-off, and a watcher's `ready` waits for it (reading state
 * before would miss what is published meanwhile); after SUBSCRIBE_DEADLINE_MS it rejects with
 * the last error, and the watcher ends. ioredis subscribes again itself after a failover of an
 * established channel; slot moves are caught by the subscriber client's periodic slot refresh
 * (see redis-bus.ts).
 */
export class ShardedPubSub extends PubSubEngine {
  private nextId = 0;
  private readonly subs = new Map<number, { channel: string; listener: Listener }>();
  private readonly byChannel = new Map<string, Set<Listener>>();
  /** A channel's wait before its next SSUBSCRIBE attempt; `wake` ends it early (nobody listens, or closing). */
  private readonly retries = new Map<string, () => void>();
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
    try {
      if (listeners.size === 1) {
        const first = this.ssubscribe(channel);
        this.subscribing.set(channel, first);
        await first.finally(() => this.subscribing.get(channel) === first && this.subscribing.delete(channel));
      } else {
        // A second listener joining while the first SSUBSCRIBE is in flight is subscribed when that is.
        await this.subscribing.get(channel);
      }
    } catch (err) {
      // Its watcher never learns the id: nothing else would remove the listener.
      this.unsubscribe(id);
      throw err;
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
      this.retries.get(sub.channel)?.();
      // A failed SUNSUBSCRIBE leaves a channel whose messages nobody listens to; dropped above.
      this.subscriber.sunsubscribe(sub.channel).catch(() => {});
    }
  }

  /** Stops retrying subscriptions (the bus is closing). */
  close(): void {
    this.closed = true;
    for (const wake of [...this.retries.values()]) wake();
  }

  /** Channels this process listens to (for tests and metrics). */
  channels(): string[] {
    return [...this.byChannel.keys()];
  }

  /**
   * SSUBSCRIBE until it succeeds (resolves), nobody listens any more or the bus closes (resolves:
   * nothing to wait for), or SUBSCRIBE_DEADLINE_MS passed (rejects with the last error). Each
   * failure is reported to onSubscribeError.
   */
  private async ssubscribe(channel: string): Promise<void> {
    const deadline = Date.now() + SUBSCRIBE_DEADLINE_MS;
    for (let delayMs = RETRY_MIN_MS; ; delayMs = Math.min(delayMs * 2, RETRY_MAX_MS)) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const attempt = this.subscriber.ssubscribe(channel);
        attempt.catch(() => {}); // one abandoned at ATTEMPT_MS may still fail
        await Promise.race([
          attempt,
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`SSUBSCRIBE ${channel}: no answer within ${ATTEMPT_MS} ms`)), ATTEMPT_MS))),
        ]);
        return;
      } catch (err) {
        if (this.closed || !this.byChannel.has(channel)) return;
        this.onSubscribeError(channel, err);
        if (Date.now() + delayMs > deadline) throw err;
      } finally {
        clearTimeout(timer);
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(pause);
          this.retries.delete(channel);
          resolve();
        };
        const pause = setTimeout(wake, delayMs);
        this.retries.set(channel, wake);
      });
      if (this.closed || !this.byChannel.has(channel)) return;
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
