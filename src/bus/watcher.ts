import type { PubSubEngine } from "graphql-subscriptions";

/**
 * Turns a watcher from pull (`next()`) to push: from then on each message goes to `onMessage`
 * synchronously, as the engine delivers it (messages queued before go first, in order), and
 * `onEnd` is called once when the watcher ends — returned, its bus closed, or (with the error)
 * its engine subscription failed. Fanning a change out to 10,000 sockets is then a loop of
 * calls, not 10,000 promise chains.
 */
export const LISTEN = Symbol("watcher.listen");

export interface Watcher<T> extends AsyncIterableIterator<T> {
  return(): Promise<IteratorResult<T>>;
  throw(e?: unknown): Promise<IteratorResult<T>>;
  [LISTEN](onMessage: (message: T) => void, onEnd: (err?: unknown) => void): void;
}

/** A watcher straight off the bus: `ready` settles once the engine has confirmed every subscription. */
export interface BusWatcher<T> extends Watcher<T> {
  /**
   * Resolves when the backend has the subscriptions (Redis answered SUBSCRIBE), rejects when it
   * refused them. Await it before reading the state the watch continues from: a change published
   * between a read and a SUBSCRIBE still in flight reaches nobody.
   */
  readonly ready: Promise<void>;
}

/** Whether `it` can be listened to (see {@link LISTEN}). */
export function isWatcher<T>(it: unknown): it is Watcher<T> {
  return typeof it === "object" && it !== null && typeof (it as Partial<Watcher<T>>)[LISTEN] === "function";
}

/**
 * One watcher of `topicNames` on `engine`: subscribed at once, ended by return() (which also
 * unsubscribes; the promise settles when the engine has). Messages wait in order until pulled;
 * a watcher's consumer pulls as fast as it delivers (graphql-ws sends each before the next).
 */
export function createWatcher<T>(engine: PubSubEngine, topicNames: readonly string[]): BusWatcher<T> {
  const queued: T[] = [];
  const pulls: ((r: IteratorResult<T>) => void)[] = [];
  let push: ((m: T) => void) | null = null;
  let ended: ((err?: unknown) => void) | null = null;
  let running = true;
  let stopped: Promise<IteratorResult<T>> | null = null;

  const deliver = (m: T) => {
    if (!running) return;
    if (push) {
      // One listener failing must not stop the engine's loop over the others (nor reach ioredis).
      try {
        push(m);
      } catch (err) {
        void stop(err);
      }
      return;
    }
    const pull = pulls.shift();
    if (pull) pull({ value: m, done: false });
    else queued.push(m);
  };
  const subscribed = Promise.all(topicNames.map((n) => engine.subscribe(n, deliver as (m: unknown) => void, {})));

  const stop = (err?: unknown): Promise<IteratorResult<T>> => {
    stopped ??= (async () => {
      running = false;
      for (const pull of pulls.splice(0)) pull({ value: undefined, done: true });
      queued.length = 0;
      const notify = ended;
      ended = null;
      push = null;
      notify?.(err);
      const ids = await subscribed.catch(() => [] as number[]);
      await Promise.all(ids.map((id) => engine.unsubscribe(id)));
      return { value: undefined, done: true as const };
    })();
    return stopped;
  };
  // A failed subscribe ends a listening watcher with the error; a pulling one rejects its next().
  let failure: { err: unknown } | null = null;
  subscribed.catch((err) => {
    failure = { err };
    if (ended) void stop(err);
  });

  const ready = subscribed.then(() => undefined);
  // Handled here (the failure also ends the watcher below); whoever awaits `ready` still sees it.
  ready.catch(() => {});

  return {
    ready,
    async next() {
      await subscribed;
      if (!running) return { value: undefined, done: true };
      const m = queued.shift();
      if (m !== undefined) return { value: m, done: false };
      return new Promise<IteratorResult<T>>((resolve) => pulls.push(resolve));
    },
    return: () => stop(),
    throw: (e?: unknown) => stop().then(() => Promise.reject(e)),
    [LISTEN](onMessage, onEnd) {
      if (!running) return onEnd();
      ended = onEnd;
      if (failure) return void stop(failure.err);
      for (const m of queued.splice(0)) onMessage(m);
      push = onMessage;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
