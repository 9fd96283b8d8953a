import type { Logger } from "pino";
import { ErrorCode, MatchmakerError } from "../domain/errors.js";
import type { Metrics } from "../metrics.js";
import type { GameService } from "../service/game-service.js";
import { type ActivityOutcome, EventHeldError } from "../store/game-store.js";
import type { StreamEntry } from "../stream/event-stream.js";
import { EventType, type GameServerEvent, parseGameEvent } from "../domain/game-events.js";
import type { EntryResult } from "./stream-consumer.js";

/** Refusals that no redelivery can cure: the entry goes to the dead-letter stream with this reason. */
const PERMANENT: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.GAME_NOT_FOUND]: "unknown_game",
  [ErrorCode.UNKNOWN_GAME_TYPE]: "unknown_game_type",
  [ErrorCode.INVALID_TRANSITION]: "invalid_transition",
  [ErrorCode.BAD_USER_INPUT]: "malformed",
};

const ACTIVITY_ONLY = new Set<string>([EventType.GAMEPLAY, EventType.HEARTBEAT]);
const KNOWN_TYPES = new Set<string>(Object.values(EventType));

type Indexed = { index: number; event: GameServerEvent };

/**
 * Turns a batch of stream entries into effects through the GameService. The changes go to
 * the store as one batch (a script call per ~100 events of a type on Redis), each game's
 * in stream order; each carries its stream id, so the store applies it at most once per
 * game. Activity-only entries (the bulk of a game server's stream) are folded
 * into one store call per game type, run alongside the rest: every effect in the batch
 * counts as activity at the same moment, so their place in the order does not matter.
 * Never throws: every entry gets a result.
 */
export function createEventHandler(
  service: GameService,
  metrics: Metrics,
  logger: Logger,
  /** Told the game types of each batch's well-formed entries (see StreamWatch.sawTypes). */
  sawTypes?: (types: Iterable<string>) => Promise<void>,
) {
  // Counted per batch and added to the metric once per (type, outcome): a counter update
  // per entry is measurable at tens of thousands of entries a second.
  const tally = new Map<string, number>();
  const count = (type: string, outcome: string) => {
    const k = `${type}\u0000${outcome}`;
    tally.set(k, (tally.get(k) ?? 0) + 1);
  };
  const flush = () => {
    for (const [k, n] of tally) {
      const [type, outcome] = k.split("\u0000");
      metrics.events.inc({ type, outcome }, n);
    }
    tally.clear();
  };

  function failure(event: GameServerEvent, err: unknown): EntryResult {
    const reason = err instanceof MatchmakerError ? PERMANENT[err.code] : undefined;
    if (reason) {
      count(event.type, "dead_lettered");
      return { status: "dead", reason, detail: (err as Error).message };
    }
    count(event.type, "retried");
    const transient = err instanceof MatchmakerError && err.code === ErrorCode.BACKEND_UNAVAILABLE;
    // The store being away is one line per batch (the consumer logs it), not one per entry.
    if (!transient) logger.warn({ err, gameId: event.gameId, type: event.type }, "event not applied; retrying it");
    return { status: "retry", error: err, transient };
  }

  /** A game's entries of the batch (not activity-only), in one service call; each game's in stream order. */
  async function applyChanges(entries: StreamEntry[], items: Indexed[], results: EntryResult[]): Promise<void> {
    if (items.length === 0) return;
    const settled = await service.applyGameEvents(items.map(({ index, event }) => ({ event, entryId: entries[index]!.id })));
    // Applying a game's later events past one that must be retried would reorder them: the
    // store holds them back, and so does this (an entry held behind a retry is retried too).
    const holding = new Map<string, unknown>();
    items.forEach(({ index, event }, k) => {
      const held = holding.get(event.gameId);
      if (held !== undefined) {
        count(event.type, "retried");
        results[index] = { status: "retry", error: held, transient: true };
        return;
      }
      const r = settled[k]!;
      if (r.status === "fulfilled") {
        count(event.type, r.value.status);
        results[index] = { status: "done" };
        return;
      }
      if (r.reason instanceof EventHeldError) {
        count(event.type, "retried");
        results[index] = { status: "retry", error: r.reason, transient: true };
        holding.set(event.gameId, r.reason);
        return;
      }
      const result = failure(event, r.reason);
      if (result.status === "retry") holding.set(event.gameId, result.error ?? new Error("retry"));
      results[index] = result;
    });
  }

  async function applyActivity(
    gameType: string,
    items: Indexed[],
    removedAt: Map<string, number>,
    results: EntryResult[],
  ): Promise<void> {
    const ids = [...new Set(items.map((i) => i.event.gameId))];
    let found: ActivityOutcome[];
    try {
      found = await service.recordActivity(gameType, ids);
    } catch (err) {
      for (const { index, event } of items) results[index] = failure(event, err);
      return;
    }
    const outcome = new Map(ids.map((id, i) => [id, found[i]!]));
    for (const { index, event } of items) {
      const o = outcome.get(event.gameId);
      if (o === "gone") {
        count(event.type, "gone");
        results[index] = { status: "done" };
      } else if (o === "recorded" || (removedAt.get(event.gameId) ?? -1) > index) {
        // Activity that came before the game's own game_removed in this batch was fine when it arrived.
        count(event.type, "unchanged");
        results[index] = { status: "done" };
      } else {
        results[index] = failure(event, new MatchmakerError(ErrorCode.GAME_NOT_FOUND, `Game "${event.gameId}" does not exist.`));
      }
    }
  }

  return async function handle(entries: StreamEntry[]): Promise<EntryResult[]> {
    const results: EntryResult[] = new Array(entries.length);
    const changes: Indexed[] = [];
    const activity = new Map<string, Indexed[]>();
    const removedAt = new Map<string, number>();
    const push = (map: Map<string, Indexed[]>, key: string, item: Indexed) => {
      const list = map.get(key);
      if (list) list.push(item);
      else map.set(key, [item]);
    };
    entries.forEach((entry, index) => {
      const parsed = parseGameEvent(entry.fields);
      if (parsed.ok) {
        const item = { index, event: parsed.event };
        if (ACTIVITY_ONLY.has(parsed.event.type)) push(activity, parsed.event.gameType, item);
        else changes.push(item);
        if (parsed.event.type === EventType.GAME_REMOVED) removedAt.set(parsed.event.gameId, index);
      } else if (parsed.reason === "unknown_type") {
        count("unknown", "ignored");
        results[index] = { status: "done" };
      } else {
        // The producer's type string is not a label value: unknown ones would grow the series without bound.
        const type = KNOWN_TYPES.has(entry.fields.type ?? "") ? entry.fields.type! : "unknown";
        count(type, "dead_lettered");
        results[index] = { status: "dead", reason: parsed.reason, detail: parsed.detail };
      }
    });
    const types = new Set<string>();
    for (const { event } of changes) types.add(event.gameType);
    for (const t of activity.keys()) types.add(t);
    await Promise.all([
      sawTypes?.(types),
      applyChanges(entries, changes, results),
      ...[...activity].map(([gameType, items]) => applyActivity(gameType, items, removedAt, results)),
    ]);
    flush();
    return results;
  };
}
