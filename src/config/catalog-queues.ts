/**
 * The `queues:` key of a catalog game type: skill-based ticket matchmaking queues (what each
 * rule means: docs/tickets.md). Kept apart from catalog.ts, like catalog-matchmaking.ts:
 *
 *   queues:                           # optional
 *     - id: ranked-1v1                # required; ^[A-Za-z0-9_-]{1,64}$, unique within the type
 *       teams: { count: 2, size: 1 }  # required; or { count: 1, minPlayers: 2, maxPlayers: 8 }
 *       rating:                       # optional; these are the defaults
 *         attribute: mmr
 *         source: input               # input (the client's rating) | token (its ratings.<attribute> claim)
 *         initialWindow: 100          # half-width: rating r accepts [r - w, r + w]
 *         expansion: { kind: linear, perSecond: 10 }   # or { kind: steps, steps: [{ afterMs, window }] }
 *         maxWindow: 1000
 *       windowClock: own              # own (default) | oldest | newest
 *       region: { maxLatencyMs: 80, expansion: [{ afterMs: 30_000, maxLatencyMs: 150 }] }  # optional
 *       partySize: { max: 5, maxSpread: 0 }  # optional; max defaults to a team's size
 *       maxWaitMs: 300000             # 1000..3600000
 *       backfill: false
 *       seedsPerTick: 1000            # 1..100000
 *       candidatesPerSeed: 64         # 1..1024
 */
import { z } from "zod";
import { ConfigError } from "./errors.js";
import { KEY_SAFE } from "../domain/tickets/ticket.js";
import { type QueueConfig, type RatingSource, type TeamLayout, WindowClock, largestFittingParty } from "../domain/tickets/queue.js";

/** A match holds at most this many players. */
export const MAX_MATCH_PLAYERS = 100;

export const QUEUE_DEFAULTS = Object.freeze({
  attribute: "mmr",
  ratingSource: "input" as RatingSource,
  initialWindow: 100,
  perSecond: 10,
  maxWindow: 1000,
  windowClock: WindowClock.OWN,
  maxWaitMs: 300_000,
  backfill: false,
  seedsPerTick: 1000,
  candidatesPerSeed: 64,
});

const keySafe = z.string().regex(KEY_SAFE, { error: "must be 1-64 letters, digits, '_' or '-'" });
const int = (min: number, max: number) => z.number().int().min(min).max(max);
const amount = z.number().min(0).max(1e9);
const afterMs = int(1, 3_600_000);

const teamsSchema = z.strictObject({
  count: int(1, 16),
  size: int(1, 50).optional(),
  minPlayers: int(1, MAX_MATCH_PLAYERS).optional(),
  maxPlayers: int(1, MAX_MATCH_PLAYERS).optional(),
});

const queueSchema = z
  .strictObject({
    id: keySafe,
    teams: teamsSchema,
    rating: z
      .strictObject({
        attribute: keySafe.optional(),
        source: z.enum(["input", "token"]).optional(),
        initialWindow: amount.optional(),
        expansion: z
          .strictObject({
            kind: z.enum(["steps", "linear"]),
            steps: z.array(z.strictObject({ afterMs, window: amount })).min(1, { error: "needs at least one step (or use kind linear)" }).max(32).optional(),
            perSecond: z.number().gt(0).max(1e6).optional(),
          })
          .optional(),
        maxWindow: amount.optional(),
      })
      .optional(),
    windowClock: z.enum([WindowClock.OWN, WindowClock.OLDEST, WindowClock.NEWEST]).optional(),
    region: z
      .strictObject({
        maxLatencyMs: int(1, 60_000),
        expansion: z.array(z.strictObject({ afterMs, maxLatencyMs: int(1, 60_000) })).max(32).optional(),
      })
      .optional(),
    partySize: z.strictObject({ max: int(1, 50).optional(), maxSpread: int(0, 99).optional() }).optional(),
    maxWaitMs: int(1_000, 3_600_000).optional(),
    backfill: z.boolean().optional(),
    seedsPerTick: int(1, 100_000).optional(),
    candidatesPerSeed: int(1, 1024).optional(),
  })
  .superRefine((q, ctx) => {
    const problem = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
    checkTeams(q.teams, problem);
    const maxWaitMs = q.maxWaitMs ?? QUEUE_DEFAULTS.maxWaitMs;
    const initialWindow = q.rating?.initialWindow ?? QUEUE_DEFAULTS.initialWindow;
    const maxWindow = q.rating?.maxWindow ?? QUEUE_DEFAULTS.maxWindow;
    if (maxWindow < initialWindow) problem(["rating", "maxWindow"], `must be >= initialWindow (${initialWindow})`);
    const expansion = q.rating?.expansion;
    if (expansion?.kind === "steps") {
      if (expansion.perSecond !== undefined) problem(["rating", "expansion", "perSecond"], "belongs to kind linear, not steps");
      if (expansion.steps === undefined) problem(["rating", "expansion", "steps"], "is required for kind steps");
      checkSteps(expansion.steps ?? [], "window", initialWindow, "initialWindow", maxWaitMs, ["rating", "expansion", "steps"], problem);
      expansion.steps?.forEach((s, i) => {
        if (s.window > maxWindow) problem(["rating", "expansion", "steps", i, "window"], `exceeds maxWindow (${maxWindow})`);
      });
    } else if (expansion?.kind === "linear") {
      if (expansion.steps !== undefined) problem(["rating", "expansion", "steps"], "belongs to kind steps, not linear");
      if (expansion.perSecond === undefined) problem(["rating", "expansion", "perSecond"], "is required for kind linear");
    }
    if (q.region) {
      checkSteps(q.region.expansion ?? [], "maxLatencyMs", q.region.maxLatencyMs, "maxLatencyMs", maxWaitMs, ["region", "expansion"], problem);
    }
    const layout = layoutOf(q.teams);
    if (q.partySize?.max !== undefined && layout !== null && q.partySize.max > largestFittingParty(layout)) {
      const holds = layout.kind === "teams" ? `a team holds ${layout.size}` : `the group holds at most ${layout.maxPlayers}`;
      problem(["partySize", "max"], `a party of ${q.partySize.max} could never fit: ${holds} players`);
    }
  });

type Problem = (path: PropertyKey[], message: string) => void;

function checkTeams(t: z.infer<typeof teamsSchema>, problem: Problem): void {
  const group = t.minPlayers !== undefined || t.maxPlayers !== undefined;
  if (t.size !== undefined && group) {
    problem(["teams"], "give either size (count teams of that many players) or minPlayers and maxPlayers (one group), not both");
  } else if (t.size === undefined && !group) {
    problem(["teams"], "needs size (count teams of that many players) or minPlayers and maxPlayers (one group)");
  } else if (t.size !== undefined) {
    const total = t.count * t.size;
    if (total > MAX_MATCH_PLAYERS) problem(["teams"], `count × size is ${total} players; a match holds at most ${MAX_MATCH_PLAYERS}`);
    if (total < 2) problem(["teams"], "a match needs at least 2 players");
  } else {
    if (t.count !== 1) problem(["teams", "count"], "must be 1 for a group (minPlayers/maxPlayers): a group is one team");
    if (t.minPlayers === undefined) problem(["teams", "minPlayers"], "is required with maxPlayers");
    if (t.maxPlayers === undefined) problem(["teams", "maxPlayers"], "is required with minPlayers");
    if (t.minPlayers !== undefined && t.maxPlayers !== undefined && t.maxPlayers < t.minPlayers) {
      problem(["teams", "maxPlayers"], `must be >= minPlayers (${t.minPlayers})`);
    }
    if (t.maxPlayers !== undefined && t.maxPlayers < 2) problem(["teams", "maxPlayers"], "a match needs at least 2 players");
  }
}

/** Steps must widen with the wait: afterMs strictly increasing, values non-decreasing from `base`, all reachable. */
function checkSteps<K extends string>(
  steps: readonly ({ afterMs: number } & Record<K, number>)[],
  key: K,
  base: number,
  baseName: string,
  maxWaitMs: number,
  at: PropertyKey[],
  problem: Problem,
): void {
  steps.forEach((s, i) => {
    const prev = steps[i - 1];
    if (prev && s.afterMs <= prev.afterMs) problem([...at, i, "afterMs"], `must be greater than the previous step's afterMs (${prev.afterMs})`);
    if (s.afterMs >= maxWaitMs) problem([...at, i, "afterMs"], `is never reached: tickets time out at maxWaitMs (${maxWaitMs})`);
    if (prev ? s[key] < prev[key] : s[key] < base) {
      problem([...at, i, key], prev ? `must be >= the previous step's ${key} (${prev[key]})` : `must be >= ${baseName} (${base})`);
    }
  });
}

function layoutOf(t: z.infer<typeof teamsSchema>): TeamLayout | null {
  if (t.size !== undefined) return { kind: "teams", count: t.count, size: t.size };
  if (t.minPlayers !== undefined && t.maxPlayers !== undefined) return { kind: "group", minPlayers: t.minPlayers, maxPlayers: t.maxPlayers };
  return null;
}

/** The queues list: ids unique within the game type. */
const queueList = z.array(queueSchema).superRefine((list, ctx) => {
  const seen = new Map<string, number>();
  list.forEach((q, i) => {
    const first = seen.get(q.id);
    if (first !== undefined) ctx.addIssue({ code: "custom", path: [i, "id"], message: `duplicate queue id "${q.id}" (already used by queues[${first}])` });
    else seen.set(q.id, i);
  });
});

/** zod shapes merged into the game-type schema. */
export const queueKeys = { queues: queueList.optional() };

export type QueueInput = z.infer<typeof queueSchema>;

/** One parsed queue entry with defaults applied, frozen. Never throws (the input is validated). */
export function queueConfig(q: QueueInput): QueueConfig {
  const layout = layoutOf(q.teams)!;
  const exp = q.rating?.expansion;
  return deepFreeze({
    id: q.id,
    teams: layout,
    rating: {
      attribute: q.rating?.attribute ?? QUEUE_DEFAULTS.attribute,
      source: q.rating?.source ?? QUEUE_DEFAULTS.ratingSource,
      initialWindow: q.rating?.initialWindow ?? QUEUE_DEFAULTS.initialWindow,
      expansion:
        exp?.kind === "steps"
          ? { kind: "steps", steps: (exp.steps ?? []).map((s) => ({ afterMs: s.afterMs, window: s.window })) }
          : { kind: "linear", perSecond: exp?.perSecond ?? QUEUE_DEFAULTS.perSecond },
      maxWindow: q.rating?.maxWindow ?? QUEUE_DEFAULTS.maxWindow,
    },
    windowClock: (q.windowClock as WindowClock | undefined) ?? QUEUE_DEFAULTS.windowClock,
    region: q.region ? { maxLatencyMs: q.region.maxLatencyMs, expansion: (q.region.expansion ?? []).map((s) => ({ ...s })) } : null,
    partySize: { max: q.partySize?.max ?? largestFittingParty(layout), maxSpread: q.partySize?.maxSpread ?? null },
    maxWaitMs: q.maxWaitMs ?? QUEUE_DEFAULTS.maxWaitMs,
    backfill: q.backfill ?? QUEUE_DEFAULTS.backfill,
    seedsPerTick: q.seedsPerTick ?? QUEUE_DEFAULTS.seedsPerTick,
    candidatesPerSeed: q.candidatesPerSeed ?? QUEUE_DEFAULTS.candidatesPerSeed,
  });
}

/** The `queues` key with defaults applied: [] when absent. Never throws. */
export function queuesDef(input: { queues?: QueueInput[] }): readonly QueueConfig[] {
  return Object.freeze((input.queues ?? []).map(queueConfig));
}

/**
 * Validates one queue entry outside a catalog (tests, the simulation, tools) and applies defaults.
 *
 * @throws ConfigError listing every problem, with paths like `rating.expansion.steps[1].afterMs`.
 */
export function parseQueue(raw: unknown): QueueConfig {
  const parsed = queueSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((iss) => ({
      path: iss.path.reduce<string>((s, k) => (typeof k === "number" ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), ""),
      message: iss.message,
    }));
    throw new ConfigError(problems, "Invalid queue");
  }
  return queueConfig(parsed.data);
}

/**
 * Problems between a type's queues and its player bounds: a match becomes one game of the type,
 * so it must hold between minPlayers and maxPlayers. Paths are relative to the game type.
 * Never throws; [] when everything fits.
 */
export function queueFitProblems(queues: readonly QueueInput[], minPlayers: number, maxPlayers: number): { path: PropertyKey[]; message: string }[] {
  const out: { path: PropertyKey[]; message: string }[] = [];
  queues.forEach((q, i) => {
    const layout = layoutOf(q.teams);
    if (layout === null) return;
    const most = layout.kind === "teams" ? layout.count * layout.size : layout.maxPlayers;
    const least = layout.kind === "teams" ? most : layout.minPlayers;
    if (most > maxPlayers) out.push({ path: ["queues", i, "teams"], message: `a match of ${most} players does not fit the type's maxPlayers (${maxPlayers})` });
    if (least < minPlayers) out.push({ path: ["queues", i, "teams"], message: `a match of ${least} players is below the type's minPlayers (${minPlayers})` });
  });
  return out;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
