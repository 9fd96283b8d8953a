import { ErrorCode, MatchmakerError } from "../../domain/errors.js";
import type { StateTable } from "../game-store.js";
import { storeErrors } from "../store-errors.js";

/**
 * Result codes of the Lua scripts, returned as `{code, ...}`: 0 and positive codes are
 * outcomes, negative codes are refusals (`{code, detail?}`). The Lua side gets them as
 * the generated `CODE` table (see scripts.ts), so this enum is their one home.
 */
export enum ScriptCode {
  OK = 0,
  /** applyEvent: activity recorded, nothing visible changed. */
  UNCHANGED = 1,
  /** applyEvent: this event id was applied within the dedupe window; nothing written. */
  DUPLICATE = 2,
  /** expire: nothing is due (or the game is gone); nothing written. */
  NOT_DUE = 3,
  /** quickJoin: nothing fit, the new game was stored with the party seated. */
  CREATED = 4,
  /** evict: none of the players was seated; nothing written. */
  NONE_SEATED = 5,
  /** applyEvent: the game was deleted a short while ago (its tombstone is there); nothing written. */
  GONE = 6,
  /** applyEvent: the entry is the game's last applied one; nothing written, the game as it stands returned. */
  REPLAYED = 7,
  /** applyEvents: an earlier event of the same game in the batch failed; this one was not applied. */
  HELD = 8,
  /** applyEvents: applying this event raised an error (detail: its message); the game's later events are held. */
  FAILED = 9,
  NOT_FOUND = -1,
  WRONG_JOIN_CODE = -2,
  ALREADY_JOINED = -3,
  FULL = -4,
  NOT_JOINABLE = -5,
  NOT_A_PLAYER = -6,
  NOT_CREATOR = -7,
  VERSION_CONFLICT = -8,
  ID_TAKEN = -9,
  INVALID_TRANSITION = -10,
  /** create, update: another live game of the type holds this join code; nothing written. */
  CODE_TAKEN = -11,
  /** create, quickJoin (creating): the creator has `detail` live games of the type, the cap; nothing written. */
  TOO_MANY_GAMES = -12,
  /** join, quickJoin with a party: the party no longer exists; nothing written. */
  PARTY_GONE = -13,
  /** join, quickJoin with a party, partyPut, partyDelete: the party is not at the version it was read at (detail: its version); nothing written. */
  PARTY_CHANGED = -14,
  /** ticketEnqueue: a player of the ticket has a live ticket in the queue (detail: its id); nothing written. */
  TICKET_QUEUED = -15,
}

/** What the caller knows that the script's answer does not carry (only needed for some codes). */
export interface ScriptErrorContext {
  /** The transition table sent with an event, to name where that event would have applied. */
  table?: StateTable;
}

/**
 * The one mapper from a script refusal to the typed error both backends throw.
 * `detail` is the game's state (NOT_JOINABLE, INVALID_TRANSITION) or current version
 * (VERSION_CONFLICT). An unknown code means script and TypeScript disagree: INTERNAL_SERVER_ERROR.
 */
export function scriptError(
  code: number,
  gameId: string,
  detail: string | undefined,
  context: ScriptErrorContext = {},
): MatchmakerError {
  switch (code as ScriptCode) {
    case ScriptCode.NOT_FOUND:
      return storeErrors.notFound(gameId);
    case ScriptCode.WRONG_JOIN_CODE:
      return storeErrors.wrongJoinCode();
    case ScriptCode.ALREADY_JOINED:
      return storeErrors.alreadyJoined(gameId);
    case ScriptCode.FULL:
      return storeErrors.full(gameId);
    case ScriptCode.NOT_JOINABLE:
      return storeErrors.notJoinable(gameId, detail ?? "in its current state");
    case ScriptCode.NOT_A_PLAYER:
      return storeErrors.notAPlayer(gameId);
    case ScriptCode.NOT_CREATOR:
      return storeErrors.notCreator(gameId);
    case ScriptCode.VERSION_CONFLICT:
      return storeErrors.versionConflict(gameId, Number(detail));
    case ScriptCode.INVALID_TRANSITION:
      return storeErrors.invalidTransition(gameId, detail ?? "in its current state", context.table ?? {});
    case ScriptCode.CODE_TAKEN:
      return storeErrors.joinCodeTaken();
    case ScriptCode.TOO_MANY_GAMES:
      return storeErrors.tooManyGames(Number(detail));
    case ScriptCode.PARTY_GONE:
      return storeErrors.partyGone();
    case ScriptCode.PARTY_CHANGED:
      return storeErrors.partyChanged();
    case ScriptCode.ID_TAKEN:
      // Same wording as the memory store: ids are random, so a retry gets a fresh one.
      return new MatchmakerError(ErrorCode.INTERNAL_SERVER_ERROR, "Game id collision; retry.");
    default:
      return new MatchmakerError(ErrorCode.INTERNAL_SERVER_ERROR, `Unexpected store script result ${code}.`);
  }
}
