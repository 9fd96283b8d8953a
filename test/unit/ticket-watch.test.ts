import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createMemoryBus } from "../../src/bus/memory-bus.js";
import { LISTEN } from "../../src/bus/watcher.js";
import { parseQueue } from "../../src/config/catalog-queues.js";
import { type TicketChange, TicketStatus } from "../../src/domain/tickets/ticket-record.js";
import { nextWideningAt, waitAt, windowAt } from "../../src/domain/tickets/window.js";
import { ticketWatcher } from "../../src/service/ticket-watch.js";
import { searchingTicket } from "../support/tickets.js";

const T0 = 1_900_000_000_000;
// ±50, +10 a second, capped at ±200: 15 s to the cap, told every 5 s.
const queue = parseQueue({ id: "ranked", teams: { count: 2, size: 1 }, rating: { initialWindow: 50, expansion: { kind: "linear", perSecond: 10 }, maxWindow: 200 } });
const EVERY = 5_000;

const ticket = searchingTicket(T0);

describe("a ticket's watch", () => {
  let clock = T0;
  const bus = createMemoryBus("tw");
  const now = () => clock;
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
    clock = T0;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const watch = (seen = 0) =>
    ticketWatcher({
      source: bus.subscribe<TicketChange>([bus.topics.ticket(ticket.id)]),
      current: ticket,
      seen,
      widensAt: (t, after) => {
        const next = nextWideningAt(queue, waitAt(t.enqueuedAt, after), EVERY);
        return next === null ? null : t.enqueuedAt + next;
      },
      now,
    });
  const advance = async (ms: number) => {
    clock += ms;
    await vi.advanceTimersByTimeAsync(ms);
  };

  it("sends the ticket as it is, then again each time its window widens until the cap, then its end, and nothing after", async () => {
    const w = watch();
    const got: { previousStatus: TicketStatus | null; window: number; at: number }[] = [];
    const take = async () => {
      const r = await w.next();
      if (!r.done) got.push({ previousStatus: r.value.previousStatus, window: windowAt(queue, clock - r.value.ticket.enqueuedAt), at: clock - T0 });
      return r;
    };
    await take();
    for (let i = 0; i < 3; i++) {
      const pending = take();
      await advance(EVERY);
      await pending;
    }
    expect(got).toEqual([
      { previousStatus: null, window: 50, at: 0 },
      { previousStatus: TicketStatus.SEARCHING, window: 100, at: 5_000 },
      { previousStatus: TicketStatus.SEARCHING, window: 150, at: 10_000 },
      { previousStatus: TicketStatus.SEARCHING, window: 200, at: 15_000 },
    ]);
    // At the cap nothing widens any more: no timer waits, only the ticket's end will come.
    expect(vi.getTimerCount()).toBe(0);
    await bus.publishTicket({ ticket: { ...ticket, status: TicketStatus.MATCHED, version: 2 }, previousStatus: TicketStatus.SEARCHING });
    const last = await w.next();
    expect(last.done ? null : last.value.ticket.status).toBe(TicketStatus.MATCHED);
    expect(await w.next()).toEqual({ done: true, value: undefined });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("pushes the same frames to a listener, and a returned watch leaves no timer behind", async () => {
    const w = watch(1); // the client already has version 1: only what comes next
    const frames: TicketChange[] = [];
    let ended = false;
    w[LISTEN]((c) => frames.push(c), () => (ended = true));
    expect(frames).toEqual([]);
    await advance(EVERY - 1);
    expect(frames).toEqual([]);
    await advance(1);
    expect(frames).toEqual([{ ticket, previousStatus: TicketStatus.SEARCHING }]);
    expect(vi.getTimerCount()).toBe(1);
    await w.return();
    expect(ended).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    await advance(EVERY * 3);
    expect(frames).toHaveLength(1);
  });

  it("after a stall (timers late), sends the window of now once, not every frame it missed", async () => {
    const w = watch(1);
    const frames: TicketChange[] = [];
    w[LISTEN]((c) => frames.push(c), () => {});
    await advance(3 * EVERY); // the service clock is 15 s on when the first timer runs
    expect(frames).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0); // ±200 is the cap: nothing more to tell
    await w.return();
  });

  it("never sends a widened window early, even when a timer fires before the clock reaches it", async () => {
    const w = watch(1);
    const frames: TicketChange[] = [];
    w[LISTEN]((c) => frames.push(c), () => {});
    // The timers run 5 s on while the service's clock lags 10 ms behind them.
    clock -= 10;
    await advance(EVERY);
    expect(frames).toEqual([]);
    await advance(10);
    expect(frames).toHaveLength(1);
    await w.return();
  });
});
