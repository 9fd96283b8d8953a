import type { Logger } from "pino";
import type { DeadLetter, EventStream, StreamEntry } from "../stream/event-stream.js";

/** What the handler decided for one entry, in the order of the entries it was given. */
export type EntryResult =
  | { status: "done" }
  | { status: "dead"; reason: string; detail: string }
  | { status: "retry"; error: unknown };

export interface BatchStats {
  size: number;
  done: number;
  /** Dead-lettered, including entries over maxDeliveries. */
  dead: number;
  /** Left pending for a later reclaim. */
  retried: number;
  /** How many of the batch came from claimIdle rather than readNew. */
  reclaimed: number;
  /** Dead-lettered entries by reason. */
  deadReasons: Record<string, number>;
  durationMs: number;
}

export interface StreamConsumerOptions {
  stream: EventStream;
  /** Consumer name within the group; unique per worker process. */
  consumer: string;
  /** Resolves one result per entry; rejecting leaves the whole batch pending. */
  handle: (entries: StreamEntry[]) => Promise<EntryResult[]>;
  batchSize?: number;
  blockMs?: number;
  /** Entries pending (on any consumer) this long are taken over. */
  claimIdleMs?: number;
  claimEveryMs?: number;
  /** Entries delivered more often than this are dead-lettered ("max_deliveries") unhandled. */
  maxDeliveries?: number;
  logger: Logger;
  onBatch?: (stats: BatchStats) => void;
}

export interface StreamConsumer {
  /** Starts the loop in the background; no-op when running. */
  start(): void;
  /** Lets the batch in hand finish (acks included), abandons a read in progress, resolves. Idempotent. */
  stop(): Promise<void>;
  readonly running: boolean;
  /**
   * One iteration: reclaim idle entries when due, then read new ones, handling each batch.
   * Resolves with the number of entries settled or left for retry; rejects when the stream
   * or the handler failed (the entries concerned stay pending). Not for use while started.
   */
  runOnce(): Promise<number>;
}

export const MAX_DELIVERIES_REASON = "max_deliveries";
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5_000;

/** Marks a failure of the handler (not of the stream) so the loop can log it as such. */
class HandlerError extends Error {
  constructor(override readonly cause: unknown) {
    super(`stream handler failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/**
 * Reads batches from the stream's consumer group and settles each entry with as few
 * stream calls as possible (one deadLetter, one ack per batch). Delivery is at least
 * once: whatever is not acked is reclaimed by some consumer after claimIdleMs. Stream and
 * handler errors never end the loop: they are logged and retried with a clamped
 * exponential back-off. Throws RangeError at creation on nonsensical options.
 */
export function createStreamConsumer(opts: StreamConsumerOptions): StreamConsumer {
  const { stream, consumer, handle, logger, onBatch } = opts;
  const batchSize = opts.batchSize ?? 100;
  const blockMs = opts.blockMs ?? 2_000;
  const claimIdleMs = opts.claimIdleMs ?? 30_000;
  const claimEveryMs = opts.claimEveryMs ?? 5_000;
  const maxDeliveries = opts.maxDeliveries ?? 5;
  // blockMs 0 would turn an idle loop into a busy one.
  if (!(batchSize >= 1 && blockMs >= 1 && maxDeliveries >= 1 && claimIdleMs >= 0 && claimEveryMs >= 0)) {
    throw new RangeError("stream consumer: batchSize, blockMs, maxDeliveries must be ≥ 1; claim times ≥ 0");
  }
  const log = logger.child({ stream: stream.key, consumer });

  let lastClaimAt = -Infinity;
  /** Read ahead while the previous batch was applied; settled first on the next round. */
  let prefetched: StreamEntry[] | null = null;
  let settling: Promise<void> = Promise.resolve();
  /** Entries left for retry in the current round: the loop backs off rather than pull more into pending. */
  let retriedInRound = 0;
  let loop: Promise<void> | undefined;
  let stopping = false;
  /** Called by stop(); removed when their wait ends, so a long run accumulates nothing. */
  const onStop = new Set<() => void>();

  /**
   * `work`, or `fallback` as soon as stop() is called. A fetch abandoned this way leaves its
   * entries pending: they are reclaimed after claimIdleMs, never lost.
   */
  function unlessStopped<T>(work: Promise<T>, fallback: T): Promise<T> {
    if (stopping) {
      work.catch(() => {});
      return Promise.resolve(fallback);
    }
    return new Promise<T>((resolve, reject) => {
      const abandon = () => resolve(fallback);
      onStop.add(abandon);
      work.then(resolve, reject).finally(() => onStop.delete(abandon));
    });
  }

  // unref: a back-off abandoned by stop() must not keep the process alive.
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

  async function settle(entries: StreamEntry[], reclaimed: boolean): Promise<number> {
    const startedAt = performance.now();
    const letters: DeadLetter[] = [];
    const toHandle: StreamEntry[] = [];
    for (const entry of entries) {
      if (entry.deliveries > maxDeliveries) {
        letters.push({ entry, reason: MAX_DELIVERIES_REASON, detail: `delivered ${entry.deliveries} times (max ${maxDeliveries})` });
      } else toHandle.push(entry);
    }
    let results: EntryResult[] = [];
    if (toHandle.length > 0) {
      try {
        results = await handle(toHandle);
        if (results.length !== toHandle.length) {
          throw new Error(`handler returned ${results.length} results for ${toHandle.length} entries`);
        }
      } catch (err) {
        // Entries over the limit are settled anyway, so they do not come back on every reclaim.
        await stream.deadLetter(letters);
        throw new HandlerError(err);
      }
    }
    const done: string[] = [];
    const retries: { id: string; deliveries: number; err: unknown }[] = [];
    results.forEach((result, i) => {
      const entry = toHandle[i]!;
      if (result.status === "done") done.push(entry.id);
      else if (result.status === "dead") letters.push({ entry, reason: result.reason, detail: result.detail });
      else retries.push({ id: entry.id, deliveries: entry.deliveries, err: result.error });
    });
    // Settling overlaps the next batch's work; the one before must be done first, so at
    // most one settle is ever in flight and stop() can wait for it.
    await settling;
    settling = Promise.all([stream.deadLetter(letters), stream.ack(done)]).then(
      () => undefined,
      (err: unknown) => log.error({ err }, "acknowledging a batch failed; its entries stay pending and will be reclaimed"),
    );
    // One line per batch, not per entry: a burst of bad entries must not flood the logs.
    if (letters.length > 0) {
      log.warn({ entries: letters.map((l) => ({ id: l.entry.id, reason: l.reason, detail: l.detail })) }, "stream entries dead-lettered");
    }
    if (retries.length > 0) log.warn({ entries: retries }, "stream entries left pending for retry");
    retriedInRound += retries.length;
    onBatch?.({
      size: entries.length,
      done: done.length,
      dead: letters.length,
      retried: retries.length,
      reclaimed: reclaimed ? entries.length : 0,
      deadReasons: countBy(letters.map((l) => l.reason)),
      durationMs: performance.now() - startedAt,
    });
    return entries.length;
  }

  /** One round; its last acknowledgement may still be in flight (the loop overlaps it with the next round). */
  async function round(): Promise<number> {
    let settled = 0;
    if (!stopping && Date.now() - lastClaimAt >= claimEveryMs) {
      lastClaimAt = Date.now();
      // Drain everything a dead consumer left before reading new entries, so a game's
      // events are still applied in stream order after a crash.
      for (;;) {
        const idle = await unlessStopped(stream.claimIdle(consumer, claimIdleMs, batchSize), []);
        if (idle.length > 0) settled += await settle(idle, true);
        if (idle.length < batchSize || stopping) break;
      }
    }
    if (stopping && !prefetched) return settled;
    const fresh = prefetched ?? (await unlessStopped(stream.readNew(consumer, batchSize, blockMs), []));
    prefetched = null;
    if (fresh.length > 0) {
      // A full batch means a backlog: fetch the next one (without blocking) while this one
      // is applied, so the read's round trip overlaps the work.
      const next = fresh.length === batchSize && !stopping ? stream.readNew(consumer, batchSize, 0) : null;
      try {
        settled += await settle(fresh, false);
      } finally {
        // Entries in hand are settled by the next round (or by stop()), never dropped.
        if (next) prefetched = await next.catch(() => null);
      }
    }
    return settled;
  }

  const backoff = (failures: number) => Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(failures - 1, 16));

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopping || prefetched?.length) {
      try {
        retriedInRound = 0;
        await round();
        if (retriedInRound === 0) {
          failures = 0;
        } else {
          // Something transient (the store unreachable) failed: pause instead of moving more
          // of the stream into the pending list, where each reclaim counts as a delivery.
          failures++;
          await unlessStopped(sleep(backoff(failures)), undefined);
        }
      } catch (err) {
        failures++;
        const delay = backoff(failures);
        if (err instanceof HandlerError) log.error({ err: err.cause, retryInMs: delay }, "stream handler failed; batch left pending");
        else log.error({ err, retryInMs: delay }, "event stream error");
        await unlessStopped(sleep(delay), undefined);
      }
    }
  }

  return {
    get running() {
      return loop !== undefined;
    },
    start() {
      if (loop) return;
      stopping = false;
      const current = run().finally(() => {
        if (loop === current) loop = undefined;
      });
      loop = current;
    },
    async stop() {
      if (!loop) return;
      stopping = true;
      for (const abandon of [...onStop]) abandon();
      await loop;
      await settling;
    },
    /** One round, fully settled (acks done) when it resolves. */
    async runOnce() {
      const n = await round();
      await settling;
      return n;
    },
  };
}
