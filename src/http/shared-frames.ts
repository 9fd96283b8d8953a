import {
  createSourceEventStream,
  type DocumentNode,
  execute,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLError,
  type GraphQLFormattedError,
  Kind,
  visit,
} from "graphql";
import type { WebSocket } from "ws";
import { isWatcher, LISTEN, type Watcher } from "../bus/watcher.js";
import { VIEWER_FIELDS } from "../graphql/viewer-fields.js";

/** How one subscription's frames are written: its socket, its id, and what its result depends on. */
export interface SharedSubscription {
  socket: WebSocket;
  id: string;
  /** Equal for every subscription whose result for an event is the same (see {@link shareKey}). */
  key: string;
}

type Formatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

export interface FrameLimits {
  /** Bytes waiting on a socket past which it is {@link FrameLimits.tooSlow}: nothing more is queued for it. */
  maxBufferedBytes: number;
  /** Ends a socket that cannot keep up (closes it). */
  tooSlow: (socket: WebSocket) => void;
}

/**
 * What makes a subscription's result for one event: its document, variables and operation
 * name, and who asks when the selection holds a field that depends on the viewer. Subscribers
 * with the same key get the same bytes, so an event is executed and serialized once per key,
 * not once per subscriber (1,000 lobby watchers of one type: once).
 */
export function shareKey(query: string, variables: unknown, operationName: unknown, document: DocumentNode, viewer: string): string {
  const base = `${query}\u0000${JSON.stringify(variables ?? null)}\u0000${typeof operationName === "string" ? operationName : ""}`;
  return selectsViewerField(document) ? `${base}\u0000${viewer}` : base;
}

// Documents are kept and shared (see the query guard), so each is looked through once.
const viewerDependent = new WeakMap<DocumentNode, boolean>();

function selectsViewerField(document: DocumentNode): boolean {
  const known = viewerDependent.get(document);
  if (known !== undefined) return known;
  let found = false;
  visit(document, {
    [Kind.FIELD]: (node) => {
      if (VIEWER_FIELDS.has(node.name.value)) found = true;
    },
  });
  viewerDependent.set(document, found);
  return found;
}

/**
 * The subscription path of graphql-ws for shareable operations. graphql-js would execute the
 * document and graphql-ws stringify the result for every subscriber of every event; here each
 * event's payload is executed and serialized once per {@link shareKey} (kept with the event, so
 * it goes when the event does) and each subscriber's frame is its id around those bytes. A
 * source that can be listened to (the bus's watchers) is fanned out by plain calls as each change
 * arrives (every subscription's source is a bus watcher); a socket with more than
 * `maxBufferedBytes` unsent is closed rather than buffered.
 */
export function createSharedFrames(formatError: Formatter, limits: FrameLimits) {
  const payloads = new WeakMap<object, Map<string, Payload>>();
  const registered = new WeakMap<ExecutionArgs, SharedSubscription>();

  const payloadOf = (event: object, args: ExecutionArgs, key: string): Payload => {
    let byKey = payloads.get(event);
    if (!byKey) payloads.set(event, (byKey = new Map()));
    const cached = byKey.get(key);
    if (cached !== undefined) return cached;
    // As graphql-js maps a source event to a response: the document executed with the event as its root.
    const result = execute({ ...args, rootValue: event });
    // Encoded once too: each frame is then a copy of bytes, not a UTF-8 encoding of its own.
    const serialize = (r: ExecutionResult) =>
      Buffer.from(JSON.stringify(r.errors ? { ...r, errors: r.errors.map((e: GraphQLError) => formatError(e.toJSON(), e)) } : r));
    const payload = result instanceof Promise ? result.then(serialize) : serialize(result);
    byKey.set(key, payload);
    return payload;
  };

  return {
    /** Marks execution args (from onSubscribe) as shareable for this socket and operation id. */
    register(args: ExecutionArgs, sub: SharedSubscription): ExecutionArgs {
      registered.set(args, sub);
      return args;
    },
    /**
     * graphql-ws's `subscribe`: for registered args, an iterator that writes frames itself and
     * yields nothing (graphql-ws then sends `complete` when it ends); other args go to graphql-js.
     * Rejects for a source that is not a bus watcher (a resolver bug: no resolver returns one).
     */
    async subscribe(args: ExecutionArgs, fallback: (args: ExecutionArgs) => unknown): Promise<unknown> {
      const sub = registered.get(args);
      if (!sub) return fallback(args);
      const source = await createSourceEventStream(args);
      if (!(Symbol.asyncIterator in source)) return source;
      if (!isWatcher(source)) {
        // Every subscription resolver hands out a bus watcher (ChangeBus.subscribe), which can be pushed.
        await (source as Partial<AsyncIterator<unknown>>).return?.();
        throw new Error("A subscription resolver returned a plain async iterator, not a bus Watcher.");
      }
      return pushFrames(source, sub, (event) => payloadOf(event as object, args, sub.key), limits);
    },
  };
}

/** A change's `next` payload as UTF-8 JSON, or while an async resolver still runs, the promise of it. */
type Payload = Buffer | Promise<Buffer>;

const TEXT = { binary: false } as const;
const CLOSE = Buffer.from("}");

/** This subscription's `next` frame around a payload: `{"id":…,"type":"next","payload":<payload>}`. */
function framer(id: string): (payload: Buffer) => Buffer {
  const start = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
  return (payload) => Buffer.concat([start, payload, CLOSE], start.length + payload.length + 1);
}

/**
 * Sends each change as it is delivered: a socket.send per subscriber, no promise chain (a payload
 * still executing — an async resolver — holds back the ones after it, so order holds). To
 * graphql-ws it is an iterator that yields nothing and ends with the source.
 */
function pushFrames(source: Watcher<unknown>, sub: SharedSubscription, payloadOf: (event: unknown) => Payload, limits: FrameLimits) {
  const { socket } = sub;
  const frame = framer(sub.id);
  let settle!: (err?: unknown) => void;
  const ended = new Promise<IteratorResult<never>>((resolve, reject) => {
    settle = (err) => (err === undefined ? resolve({ done: true, value: undefined }) : reject(err instanceof Error ? err : new Error(String(err))));
  });
  // graphql-ws may end the subscription without ever pulling (it returns it instead).
  ended.catch(() => {});
  /** Payloads still executing, in delivery order; null when none. */
  let pending: Promise<void> | null = null;
  /** Set once the subscription ended (completed, returned, its source gone): nothing is sent after. */
  let done = false;
  const write = (payload: Buffer) => {
    if (!done && socket.readyState === socket.OPEN) socket.send(frame(payload), TEXT);
  };
  // Listened to on the first next(): graphql-ws pulls only a subscription it kept, so one
  // completed before it started is sent nothing (its changes wait in the watcher till then).
  const listen = () => source[LISTEN](
    (event) => {
      if (done || socket.readyState !== socket.OPEN) return;
      if (socket.bufferedAmount > limits.maxBufferedBytes) return limits.tooSlow(socket);
      const payload = payloadOf(event);
      if (Buffer.isBuffer(payload) && pending === null) return write(payload);
      const next: Promise<void> = (pending ?? Promise.resolve()).then(() => payload).then(write);
      pending = next;
      next.then(
        () => {
          if (pending === next) pending = null;
        },
        (err: unknown) => {
          void source.return();
          settle(err);
        },
      );
    },
    (err) => {
      const finish = () => settle(err);
      if (pending) pending.then(finish, finish);
      else finish();
    },
  );
  // graphql-ws calls return() without awaiting it: an unsubscribe that fails must not reject.
  const end = async () => {
    done = true;
    await source.return().catch(() => {});
    settle();
  };
  let listening = false;
  const iterator = {
    next: () => {
      if (!listening && !done) {
        listening = true;
        listen();
      }
      return ended;
    },
    return: async () => {
      await end();
      return { done: true as const, value: undefined };
    },
    throw: async (e?: unknown) => {
      await end();
      throw e;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
