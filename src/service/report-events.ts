import { timingSafeEqual } from "node:crypto";
import { badInput, ErrorCode, MatchmakerError } from "../domain/errors.js";
import { FIELD } from "../domain/game-events.js";
import { LIMITS } from "../domain/limits.js";
import type { ServiceContext } from "./service-context.js";

export interface ReportedEvent {
  gameType: string;
  gameId: string;
  type: string;
  eventId?: string | null;
  /** Producer time, ms since epoch. */
  ts?: number | null;
  /** The event's own fields with their stream names (new_state, player_id, winner_id, meta.<key>, …). */
  fields?: Record<string, unknown> | null;
}

/** Who may report events: a game server (for the types whose secret it presented) or an admin. */
export type Reporter = { kind: "gameServer"; gameTypes: string[] } | { kind: "admin" };

export const MAX_REPORTED_EVENTS = LIMITS.reportedEvents;
const RESERVED = new Set<string>(Object.values(FIELD).filter((f) => f !== FIELD.newState && f !== FIELD.playerId));

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** reportGameEvents: the HTTP door to the event stream for game servers that cannot reach Redis. */
export function createReportOps(ctx: ServiceContext) {
  return {
    /** The game types whose serverSecret equals `token` (compared in constant time); empty when none. */
    gameTypesForSecret(token: string): string[] {
      return ctx.catalog.types.filter((t) => t.serverSecret !== null && sameSecret(t.serverSecret, token)).map((t) => t.id);
    },

    /**
     * Appends the events to the stream exactly as a game server's XADD would, so the
     * worker applies them with the same checks. Validates shape only (FORBIDDEN for a
     * type the reporter may not speak for, BAD_USER_INPUT for non-string fields); what
     * the events mean is the worker's business. All or nothing: one append call.
     */
    async reportGameEvents(reporter: Reporter, events: ReportedEvent[]): Promise<number> {
      if (events.length === 0) return 0;
      if (events.length > MAX_REPORTED_EVENTS) throw badInput(`At most ${MAX_REPORTED_EVENTS} events per call.`);
      const entries = events.map((e, i) => {
        if (reporter.kind === "gameServer" && !reporter.gameTypes.includes(e.gameType)) {
          throw new MatchmakerError(ErrorCode.FORBIDDEN, `events[${i}]: this game server may not report events for "${e.gameType}".`);
        }
        const entry: Record<string, string> = { [FIELD.gameType]: e.gameType, [FIELD.gameId]: e.gameId, [FIELD.type]: e.type };
        if (e.eventId) entry[FIELD.eventId] = e.eventId;
        entry[FIELD.ts] = String(e.ts ?? ctx.now());
        const fields = Object.entries(e.fields ?? {});
        if (fields.length > LIMITS.eventFields) throw badInput(`events[${i}].fields: at most ${LIMITS.eventFields} fields.`);
        for (const [k, v] of fields) {
          if (String(v).length > LIMITS.eventFieldLength || k.length > 64) {
            throw badInput(`events[${i}].fields.${k.slice(0, 64)}: names up to 64 and values up to ${LIMITS.eventFieldLength} characters.`);
          }
          if (RESERVED.has(k)) throw badInput(`events[${i}].fields.${k} is set by the envelope; use the event's own argument.`);
          if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
            throw badInput(`events[${i}].fields.${k} must be a string, number or boolean (stream fields are flat strings).`);
          }
          entry[k] = String(v);
        }
        return entry;
      });
      await ctx.stream.append(entries);
      return entries.length;
    },
  };
}
