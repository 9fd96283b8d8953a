import type { Logger } from "pino";
import { type DeadLetter, type EventStream, type Lease, LeaseLostError, type StreamEntry } from "../stream/event-stream.js";

/** What the handler decided for one entry, in the order of the entries it was given. */
export type EntryResult =
  | { status: "done" }
  | { status: "dead"; reason: string; detail: string }
  /**
   * Not applied; the consumer tries it again in place (it never moves past it, which would
   * reorder a game's entries). `transient` (the store unreachable): retried until it works;
   * otherwise it is dead-lettered as max_deliveries after maxDeliveries attempts.
   */
  | { status: "retry"; error: unknown; transient?: boolean };

export interface BatchStats {
  size: number;
  done: number;
  /** Dead-lettered, including entries over maxDeliveries. */
  dead: number;
  /** Left pending when the consumer stopped or lost its lease in the middle of retrying them. */
  retried: number;
  /** How many of the batch were taken over from pending entries rather than read new. */
  reclaimed: number;
  /** Dead-lettered entries by reason. */
  deadReasons: Record<string, number>;
  durationMs: number;
}

export type LeaseEvent = "acquired" | "lost" | "released";

export interface StreamConsumerOptions {
  stream: EventStream;
  /** Consumer name within the group; unique per worker process. */
  consumer: string;
  /** Resolves one result per entry; rejecting counts as a non-transient retry of the whole batch. */
  handle: (entries: StreamEntry[]) => Promise<EntryResult[]>;
  batchSize?: number;
  blockMs?: number;
  /**
   * How long the lease lasts unless renewed (renewed every third of it). A standby takes
   * over within about this long after the holder died; a holder that cannot renew in time
   * stops reading (it is fenced anyway).
   */
  leaseMs?: number;
  /** Entries delivered, or attempted, more often than this are dead-lettered ("max_deliveries") unhandled. */
  maxDeliveries?: number;
  logger: Logger;
  onBatch?: (stats: BatchStats) => void;
  onLease?: (event: LeaseEvent, lease: Lease) => void;
}

export interface StreamConsumer {
  /** Starts the loop in the background; no-op when running. */
  start(): void;
  /**
   * Lets the batches in hand finish (acks included), abandons a read or a wait in progress,
   * releases the lease so a standby takes over at once, resolves. Idempotent.
   */
  stop(): Promise<void>;
  readonly running: boolean;
  /** The lease while this consumer holds it (it is the stream's active consumer), else null. */
  readonly lease: Lease | null;
  /**
   * One step: take the lease when free, then take over pending entries (until none are
   * left) or read one batch, and settle it. Resolves with the number of entries handled;
   * rejects when the stream failed. Not for use while started.
   */
  runOnce(): Promise<number>;
}

export const MAX_DELIVERIES_REASON = "max_deliveries";
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5_000;
/** How often a holder also removes consumers that died with nothing pending (besides right after a takeover). */
const PRUNE_EVERY_MS = 60_000;

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

const backoff = (attempt: number) => Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(attempt - 1, 16));

/**
 * The stream's consumer: one active consumer per stream, holding the lease (see
 * EventStream). On taking the lease it first takes over every pending entry of the group —
 * what the previous holder read but did not acknowledge — and applies those, oldest first,
 * before it reads anything new; while it holds the lease nobody else reads. So a game's
 * entries reach the handler in stream order whatever happens to the workers, and the store's
 * per-game last-applied entry turns the re-application of a batch a dead holder had half
 * applied into duplicates. An entry that fails is retried in place, never skipped over.
 * Every batch is settled with one dead-letter call and one ack. Stream errors never end the
 * loop: they are logged and retried with a clamped back-off. Throws RangeError at creation
 * on nonsensical options.
 */
export function createStreamConsumer(opts: StreamConsumerOptions): StreamConsumer {
  const { stream, consumer, handle, logger, onBatch, onLease } = opts;
  const batchSize = opts.batchSize ?? 100;
  const blockMs = opts.blockMs ?? 2_000;
  const leaseMs = opts.leaseMs ?? 3_000;
  const maxDeliveries = opts.maxDeliveries ?? 5;
  // blockMs 0 would turn an idle loop into a busy one.
  if (!(batchSize >= 1 && blockMs >= 1 && maxDeliveries >= 1 && leaseMs >= 30)) {
    throw new RangeError("stream consumer: batchSize, blockMs, maxDeliveries must be ≥ 1 and leaseMs ≥ 30");
  }
  const renewEveryMs = Math.max(10, Math.floor(leaseMs / 3));
  // A standby looks more often than the holder renews, so takeover is about leaseMs after a death.
  const standbyPollMs = Math.max(10, Math.floor(leaseMs / 6));
  const log = logger.child({ stream: stream.key, consumer });

  let lease: Lease | null = null;
  /** Until when our lease holds for sure, by our own clock (renewals push it on). */
  let leaseValidUntil = 0;
  let renewTimer: NodeJS.Timeout | null = null;
  /** Where the takeover of pending entries continues; null once done. */
  let claimCursor: string | null = null;
  let prunedAt = 0;
  /** Read ahead while the previous batch was applied; settled first on the next step. */
  let prefetched: StreamEntry[] | null = null;
  let settling: Promise<void> = Promise.resolve();
  /** Acks and dead letters that failed; sent again with the next batch's. */
  let unacked: string[] = [];
  let undead: DeadLetter[] = [];
  let loop: Promise<void> | undefined;
  let stopping = false;
  /** Called by stop(); removed when their wait ends, so a long run accumulates nothing. */
  const onStop = new Set<() => void>();

  /** `work`, or `fallback` as soon as stop() is called; a read abandoned this way leaves its entries pending for the next holder. */
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
  const sleep = (ms: number) => unlessStopped(new Promise<void>((resolve) => setTimeout(resolve, ms).unref()), undefined);

  // performance.now(), not Date.now(): a wall clock stepped back must not stretch our lease.
  const holding = () => lease !== null && performance.now() < leaseValidUntil;

  /**
   * Takes over every pending entry again (our own included) before reading on: after an
   * entry was left pending, or a read or takeover whose answer was lost (its entries may
   * sit in our pending list unseen), nothing newer may be applied first.
   */
  function redrain(): void {
    if (!lease) return;
    claimCursor = "0-0";
    prefetched = null;
  }

  function lost(why: string): void {
    if (!lease) return;
    const was = lease;
    lease = null;
    claimCursor = null;
    // Read but not applied: they stay pending, and the next holder takes them over first.
    prefetched = null;
    if (renewTimer) clearInterval(renewTimer);
    renewTimer = null;
    log.warn({ token: was.token, why }, "lost the stream lease; standing by");
    onLease?.("lost", was);
  }

  /** `askedAt`: when the acquire call went out — the lease cannot have started before it. */
  function acquired(l: Lease, askedAt: number): void {
    lease = l;
    leaseValidUntil = askedAt + leaseMs;
    claimCursor = "0-0";
    log.info({ token: l.token }, "took the stream lease; taking over pending entries before reading new ones");
    onLease?.("acquired", l);
    renewTimer = setInterval(() => {
      const l2 = lease;
      if (!l2) return;
      const askedAt = performance.now();
      stream.renewLease(l2, leaseMs).then(
        (ok) => {
          if (lease !== l2) return;
          if (ok) leaseValidUntil = askedAt + leaseMs;
          else lost("the lease expired and was taken");
        },
        (err: unknown) => {
          if (lease !== l2) return;
          if (!holding()) lost("could not renew the lease in time");
          else log.warn({ err }, "renewing the stream lease failed; retrying");
        },
      );
    }, renewEveryMs);
    renewTimer.unref();
  }

  /** Hands the batch to the handler, again for what must be retried, until every entry is done or dead. */
  async function settle(entries: StreamEntry[], reclaimed: boolean): Promise<number> {
    const startedAt = performance.now();
    const letters: DeadLetter[] = [];
    const done: string[] = [];
    let todo: StreamEntry[] = [];
    for (const entry of entries) {
      if (entry.deliveries > maxDeliveries) {
        letters.push({ entry, reason: MAX_DELIVERIES_REASON, detail: `delivered ${entry.deliveries} times (max ${maxDeliveries})` });
      } else todo.push(entry);
    }
    const attempts = new Map<string, number>();
    let left = 0;
    for (let round = 1; todo.length > 0; round++) {
      let results: EntryResult[];
      try {
        results = await handle(todo);
        if (results.length !== todo.length) throw new Error(`handler returned ${results.length} results for ${todo.length} entries`);
      } catch (err) {
        log.error({ err }, "stream handler failed; retrying its batch");
        results = todo.map(() => ({ status: "retry", error: err }));
      }
      const again: StreamEntry[] = [];
      results.forEach((result, i) => {
        const entry = todo[i]!;
        if (result.status === "done") done.push(entry.id);
        else if (result.status === "dead") letters.push({ entry, reason: result.reason, detail: result.detail });
        else {
          const n = (attempts.get(entry.id) ?? entry.deliveries) + (result.transient ? 0 : 1);
          attempts.set(entry.id, n);
          if (n > maxDeliveries) {
            letters.push({ entry, reason: MAX_DELIVERIES_REASON, detail: `failed ${n} times (max ${maxDeliveries}): ${String(result.error)}` });
          } else again.push(entry);
        }
      });
      if (again.length === 0) break;
      if (stopping || !holding()) {
        // Nothing newer may be applied before these: whoever holds the lease next (we, after
        // a re-drain, or a successor) takes them over first, in order.
        left = again.length;
        redrain();
        log.warn({ entries: again.map((e) => e.id) }, "stream entries left pending; they are taken over before anything newer");
        break;
      }
      log.warn({ entries: again.length, retryInMs: backoff(round) }, "stream entries not applied; retrying them before anything newer");
      await sleep(backoff(round));
      todo = again;
    }
    // Settling overlaps the next batch's work; the one before must be done first, so at
    // most one settle is ever in flight and stop() can wait for it.
    await settling;
    const acks = unacked.concat(done);
    const dead = undead.concat(letters);
    unacked = [];
    undead = [];
    settling = Promise.all([
      stream.deadLetter(dead).catch((err: unknown) => {
        undead = undead.concat(dead);
        log.error({ err }, "writing dead letters failed; they go out with the next batch");
      }),
      stream.ack(acks).catch((err: unknown) => {
        unacked = unacked.concat(acks);
        log.error({ err }, "acknowledging a batch failed; its acks go out with the next batch");
      }),
    ]).then(() => undefined);
    // One line per batch, not per entry: a burst of bad entries must not flood the logs.
    if (letters.length > 0) {
      log.warn({ entries: letters.map((l) => ({ id: l.entry.id, reason: l.reason, detail: l.detail })) }, "stream entries dead-lettered");
    }
    onBatch?.({
      size: entries.length,
      done: done.length,
      dead: letters.length,
      retried: left,
      reclaimed: reclaimed ? entries.length : 0,
      deadReasons: countBy(letters.map((l) => l.reason)),
      durationMs: performance.now() - startedAt,
    });
    return entries.length;
  }

  async function prune(l: Lease): Promise<void> {
    prunedAt = Date.now();
    const removed = await stream.removeIdleConsumers(l);
    if (removed.length > 0) log.info({ removed }, "removed consumers that left nothing pending");
  }

  /** One step of the loop; see runOnce. */
  async function step(): Promise<number> {
    if (lease && !holding()) lost("could not renew the lease in time");
    if (!lease) {
      if (stopping) return 0;
      const askedAt = performance.now();
      const l = await stream.acquireLease(consumer, leaseMs);
      if (!l) {
        await sleep(standbyPollMs);
        return 0;
      }
      acquired(l, askedAt);
    }
    const l = lease!;
    if (claimCursor !== null) {
      if (stopping) return 0;
      // Our last acks first, so a re-drain does not take back what is already settled.
      await settling;
      const page = await guard(stream.claimPending(l, claimCursor, batchSize));
      claimCursor = page.next === "0-0" ? null : page.next;
      const n = page.entries.length > 0 ? await settle(page.entries, true) : 0;
      if (claimCursor === null) await prune(l);
      return n;
    }
    if (Date.now() - prunedAt > PRUNE_EVERY_MS) await prune(l);
    if (stopping && !prefetched) return 0;
    const readAt = performance.now();
    const fresh = prefetched ?? (await unlessStopped(guard(stream.readNew(l, batchSize, blockMs)), []));
    prefetched = null;
    if (fresh.length === 0) {
      // A read that gave up at once (a closed stream) must not turn the loop into a busy one.
      if (!stopping && performance.now() - readAt < 1) await sleep(standbyPollMs);
      return 0;
    }
    // A full batch means a backlog: fetch the next one (without blocking) while this one is
    // applied, so the read's round trip overlaps the work.
    const next = fresh.length === batchSize && !stopping ? guard(stream.readNew(l, batchSize, 0)).catch(() => null) : null;
    try {
      return await settle(fresh, false);
    } finally {
      // Entries in hand are settled by the next step (or by stop()), never dropped — unless
      // a re-drain is due: then they are taken over again, in order with what came before.
      if (next) {
        const ahead = await next;
        if (lease === l && claimCursor === null) prefetched = ahead;
      }
    }
  }

  /** A read or takeover that failed may have taken entries we never saw: take everything over again. */
  function guard<T>(call: Promise<T>): Promise<T> {
    return call.catch((err: unknown) => {
      if (!(err instanceof LeaseLostError)) redrain();
      throw err;
    });
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopping || prefetched?.length) {
      try {
        await step();
        failures = 0;
      } catch (err) {
        if (err instanceof LeaseLostError) {
          lost("another consumer holds the lease");
          continue;
        }
        failures++;
        const delay = backoff(failures);
        log.error({ err, retryInMs: delay }, "event stream error");
        await sleep(delay);
      }
    }
  }

  async function release(): Promise<void> {
    const l = lease;
    if (!l) return;
    lease = null;
    if (renewTimer) clearInterval(renewTimer);
    renewTimer = null;
    try {
      await stream.releaseLease(l);
      log.info({ token: l.token }, "released the stream lease");
      onLease?.("released", l);
    } catch (err) {
      log.warn({ err }, "releasing the stream lease failed; it expires by itself");
    }
  }

  return {
    get running() {
      return loop !== undefined;
    },
    get lease() {
      return holding() ? lease : null;
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
      stopping = true;
      for (const abandon of [...onStop]) abandon();
      await loop;
      await settling;
      if (undead.length > 0) {
        const letters = undead;
        undead = [];
        await stream.deadLetter(letters).catch((err: unknown) => log.error({ err }, "writing dead letters at shutdown failed; the next holder judges those entries again"));
      }
      if (unacked.length > 0) {
        const ids = unacked;
        unacked = [];
        await stream.ack(ids).catch((err: unknown) => log.error({ err }, "acknowledging at shutdown failed; the next holder re-applies them as duplicates"));
      }
      await release();
    },
    async runOnce() {
      try {
        const n = await step();
        await settling;
        return n;
      } catch (err) {
        if (err instanceof LeaseLostError) {
          lost("another consumer holds the lease");
          return 0;
        }
        throw err;
      }
    },
  };
}
