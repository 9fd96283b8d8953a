import { LISTEN, type Watcher } from "../bus/watcher.js";
import { type TicketChange, type TicketRecord, TicketStatus } from "../domain/tickets/ticket-record.js";

/**
 * One player's watch of a ticket: `current` when its version is past `seen` (the client's
 * cursor), then each newer change from `source` (the ticket's topic, subscribed before
 * `current` was read) until the ticket ends — and, while it searches, the ticket again (same
 * version, previousStatus SEARCHING) whenever its window widens (`widensAt`), so a client shows
 * the window, pool size and estimate of the moment without polling. One timer per watch,
 * cleared when the watch ends.
 */
export function ticketWatcher(opts: {
  source: Watcher<TicketChange>;
  current: TicketRecord;
  /** The last version the client has (cursor); changes up to it are not sent again. */
  seen: number;
  /** When (service clock, ms) the ticket's window next widens after `after`; null: never again. */
  widensAt: (t: TicketRecord, after: number) => number | null;
  now: () => number;
}): Watcher<TicketChange> {
  const { source, widensAt, now } = opts;
  let seen = opts.seen;
  let latest = opts.current;
  const queued: TicketChange[] = [];
  const pulls: { resolve: (r: IteratorResult<TicketChange>) => void; reject: (e: unknown) => void }[] = [];
  let push: ((c: TicketChange) => void) | null = null;
  let onEnd: ((err?: unknown) => void) | null = null;
  let ended = false;
  let failure: { err: unknown } | null = null;
  let timer: NodeJS.Timeout | null = null;
  let unsubscribed: Promise<unknown> = Promise.resolve();

  const deliver = (c: TicketChange) => {
    if (push) {
      // A listener that fails ends its watch, never the bus's loop or a timer's process.
      try {
        push(c);
      } catch (err) {
        end(err);
      }
      return;
    }
    const pull = pulls.shift();
    if (pull) pull.resolve({ done: false, value: c });
    else queued.push(c);
  };
  const end = (err?: unknown) => {
    if (ended) return;
    ended = true;
    if (timer) clearTimeout(timer);
    unsubscribed = source.return().catch(() => undefined);
    if (err !== undefined) failure = { err };
    for (const p of pulls.splice(0)) (err === undefined ? p.resolve({ done: true, value: undefined }) : p.reject(err));
    const notify = onEnd;
    onEnd = null;
    push = null;
    notify?.(err);
  };
  /** Sends the ticket once the clock has reached `at` (a timer may fire a little early), then waits for the next widening. */
  const wakeAt = (at: number) => {
    timer = setTimeout(() => {
      timer = null;
      if (ended) return;
      if (now() < at) return wakeAt(at);
      deliver({ ticket: latest, previousStatus: TicketStatus.SEARCHING });
      // From now, not from `at`: a timer that fired late sends one frame, not every one it missed.
      schedule(Math.max(at, now()));
    }, Math.max(1, at - now()));
    // A watch never keeps a stopping process alive.
    timer.unref();
  };
  const schedule = (after: number) => {
    if (ended || latest.status !== TicketStatus.SEARCHING) return;
    const at = widensAt(latest, after);
    if (at !== null) wakeAt(at);
  };
  const take = (c: TicketChange) => {
    // A cursor past the ticket's version (a client's own bookkeeping) must not hide what comes next.
    if (ended || c.ticket.version <= seen) return;
    seen = c.ticket.version;
    latest = c.ticket;
    deliver(c);
    if (c.ticket.status !== TicketStatus.SEARCHING) end();
  };

  if (opts.current.version > seen) take({ ticket: opts.current, previousStatus: null });
  // An ended ticket changes no more: after what the client already has, the watch is over.
  if (opts.current.status !== TicketStatus.SEARCHING) end();
  else {
    source[LISTEN](take, (err) => end(err));
    schedule(now());
  }

  return {
    async next() {
      const c = queued.shift();
      if (c) return { done: false, value: c };
      if (failure) throw failure.err;
      if (ended) return { done: true, value: undefined };
      return new Promise((resolve, reject) => pulls.push({ resolve, reject }));
    },
    // Settle once the bus has unsubscribed, as every watcher's return() does.
    return: async () => {
      end();
      queued.length = 0;
      await unsubscribed;
      return { done: true, value: undefined };
    },
    throw: async (e?: unknown) => {
      end();
      queued.length = 0;
      await unsubscribed;
      throw e;
    },
    [LISTEN](onMessage, onEnded) {
      try {
        for (const c of queued.splice(0)) onMessage(c);
      } catch (err) {
        end(err);
      }
      if (ended) return onEnded(failure?.err);
      push = onMessage;
      onEnd = onEnded;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
