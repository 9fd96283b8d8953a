/**
 * The shape of one skill-based matchmaking queue, as the catalog gives it (validated and
 * defaulted by src/config/catalog-queues.ts). Pure data: frozen, no behaviour, so the matcher,
 * the simulation and a later Lua commit script all read the same thing.
 */

/**
 * Whose wait time sets the rating window (and allowed latency) used to judge a candidate match.
 * Waits only ever widen windows, so the oldest member has the widest and the newest the narrowest.
 */
export enum WindowClock {
  /**
   * Default. Every member's own window, from its own wait, must contain every other member's
   * rating (and its own allowed latency must hold in the match's region). Each player's
   * tolerance is honoured: nobody is put against a rating further away than they agreed to
   * wait for — fairness "both sides".
   */
  OWN = "own",
  /**
   * The longest waiter's window applies to all members (as GameLift FlexMatch expands rules
   * for the oldest ticket). Faster for players at the edge of the rating curve, at the price
   * of newer members accepting a wider match than their own wait would have allowed.
   */
  OLDEST = "oldest",
  /** The newest member's window applies to all: the strictest rule, best quality, slowest. */
  NEWEST = "newest",
}

/** Why a ticket timed out: the rule that failed most often when it was a seed. */
export enum TimeoutReason {
  /** No candidate's rating was within the window (either side's, per windowClock). */
  NO_ONE_WITHIN_WINDOW = "no_one_within_window",
  /** Candidates were near in rating, but no region had a low enough latency for everyone. */
  NO_REGION = "no_region",
  /** Party sizes differed too much (partySize.maxSpread) or could not fill the teams exactly. */
  PARTY_SIZE = "party_size",
  /** Every candidate fitted, but there were not enough of them to fill a match. */
  POOL_TOO_SMALL = "pool_too_small",
}

/** Tie-break when two reasons failed equally often: the first listed wins. */
export const TIMEOUT_REASONS: readonly TimeoutReason[] = Object.freeze([
  TimeoutReason.NO_ONE_WITHIN_WINDOW,
  TimeoutReason.NO_REGION,
  TimeoutReason.PARTY_SIZE,
  TimeoutReason.POOL_TOO_SMALL,
]);

/**
 * How a match is laid out. `teams`: `count` teams of exactly `size` players each (1v1 is
 * count 2, size 1). `group`: one group of minPlayers..maxPlayers (co-op, free-for-all).
 */
export type TeamLayout =
  | { readonly kind: "teams"; readonly count: number; readonly size: number }
  | { readonly kind: "group"; readonly minPlayers: number; readonly maxPlayers: number };

/** One widening step: from `afterMs` of waiting on, the value is `window` (or `maxLatencyMs`). */
export interface WindowStep {
  readonly afterMs: number;
  readonly window: number;
}

export interface LatencyStep {
  readonly afterMs: number;
  readonly maxLatencyMs: number;
}

/** How the rating window widens with waiting; either way it never exceeds `maxWindow`. */
export type WindowExpansion =
  | { readonly kind: "steps"; readonly steps: readonly WindowStep[] }
  | { readonly kind: "linear"; readonly perSecond: number };

/**
 * Where a ticket's rating comes from: `input`, the enqueueing client's `rating`; `token`, the
 * `ratings.<attribute>` claim of the players' tokens, which the studio's login service signs
 * (a party's: the mean of its members', each from the token they joined with).
 */
export type RatingSource = "input" | "token";

export interface RatingRule {
  /** The ticket attribute the rating is read from (say "mmr"); the caller puts it in `Ticket.rating`. */
  readonly attribute: string;
  /** Absent (queues built in code): input. */
  readonly source?: RatingSource;
  /** Half-width at wait 0: rating r accepts [r − w, r + w]. */
  readonly initialWindow: number;
  readonly expansion: WindowExpansion;
  readonly maxWindow: number;
}

export interface RegionRule {
  /** Latency (ms) a ticket accepts at wait 0. */
  readonly maxLatencyMs: number;
  /** Strictly increasing in afterMs, non-decreasing in maxLatencyMs. */
  readonly expansion: readonly LatencyStep[];
}

export interface PartySizeRule {
  /** Largest party this queue takes (never more than a team, or the group's maxPlayers). */
  readonly max: number;
  /** Party sizes in one match differ by at most this; null = no rule. */
  readonly maxSpread: number | null;
}

/** A queue as the matcher reads it: validated, defaulted and frozen. */
export interface QueueConfig {
  readonly id: string;
  readonly teams: TeamLayout;
  readonly rating: RatingRule;
  readonly windowClock: WindowClock;
  /** null: regions and latencies are ignored. */
  readonly region: RegionRule | null;
  readonly partySize: PartySizeRule;
  readonly maxWaitMs: number;
  /** Carried only; the quickJoin integration reads it. */
  readonly backfill: boolean;
  readonly seedsPerTick: number;
  readonly candidatesPerSeed: number;
}

/** Players a match holds at most. */
export const maxPlayersOf = (layout: TeamLayout): number =>
  layout.kind === "teams" ? layout.count * layout.size : layout.maxPlayers;

/** The largest party that could ever fit one team (or the group). */
export const largestFittingParty = (layout: TeamLayout): number =>
  layout.kind === "teams" ? layout.size : layout.maxPlayers;
