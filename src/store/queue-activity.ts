import { TicketStatus } from "../domain/tickets/ticket-record.js";

/**
 * What a queue did lately, counted by the store in one-minute buckets that every process
 * writes (a ticket's end is counted in the same atomic step that ends it, so cancels made by
 * any API process and matches made by any worker add up exactly) and that expire on their own.
 */

/** The minutes a queue's activity covers: the current one and the ones before it. */
export const QUEUE_ACTIVITY_MINUTES = 10;
/** How long one bucket is kept: one minute past the window, so a read at its edge still finds it. */
export const QUEUE_ACTIVITY_KEPT_MS = (QUEUE_ACTIVITY_MINUTES + 1) * 60_000;

/** The bucket `now` (ms) counts into. */
export const activityMinute = (now: number): number => Math.floor(now / 60_000);

/** The buckets a read at `now` sums, newest first. */
export const activityMinutes = (now: number): number[] => Array.from({ length: QUEUE_ACTIVITY_MINUTES }, (_, i) => activityMinute(now) - i);

/**
 * A bucket's field names (the Lua side writes the same ones, see countEnd in ticket.lua):
 * the outcome (`MATCHED`, `TIMED_OUT`, `CANCELLED`), the outcome and its reason
 * (`TIMED_OUT:no_region`), and a seed attempt's failed rule (`rule:no_region`). Reasons and
 * rules come from the service's own constants, never from a client: the set is bounded.
 */
export const activityField = {
  ended: (status: TicketStatus, reason: string | null): string[] => (reason ? [status, `${status}:${reason}`] : [status]),
  rule: (rule: string): string => `rule:${rule}`,
};

/** A queue's last QUEUE_ACTIVITY_MINUTES minutes. */
export interface QueueActivity {
  minutes: number;
  matched: number;
  timedOut: number;
  cancelled: number;
  /** Timeouts by the reason they ended with (the rule that failed most for the ticket). */
  timeouts: Record<string, number>;
  /** Cancels by who cancelled (`cancelled_by_owner`, `cancelled_by_admin`). */
  cancels: Record<string, number>;
  /** Seed attempts that formed no match, by the rule that failed most in each. */
  ruleFailures: Record<string, number>;
}

/** Sums buckets (field → count) into the activity they describe. */
export function sumActivity(buckets: readonly Readonly<Record<string, number>>[]): QueueActivity {
  const out: QueueActivity = { minutes: QUEUE_ACTIVITY_MINUTES, matched: 0, timedOut: 0, cancelled: 0, timeouts: {}, cancels: {}, ruleFailures: {} };
  const add = (into: Record<string, number>, key: string, n: number) => void (into[key] = (into[key] ?? 0) + n);
  for (const b of buckets) {
    for (const [field, n] of Object.entries(b)) {
      const at = field.indexOf(":");
      const head = at < 0 ? field : field.slice(0, at);
      const tail = field.slice(at + 1);
      if (head === "rule") add(out.ruleFailures, tail, n);
      else if (head === TicketStatus.MATCHED && at < 0) out.matched += n;
      else if (head === TicketStatus.TIMED_OUT) at < 0 ? (out.timedOut += n) : add(out.timeouts, tail, n);
      else if (head === TicketStatus.CANCELLED) at < 0 ? (out.cancelled += n) : add(out.cancels, tail, n);
    }
  }
  return out;
}
