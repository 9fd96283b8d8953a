import { badInput } from "../../domain/errors.js";
import { ALL_STATES, type GameState, type Visibility } from "../../domain/game.js";

// Characters that would break the key grammar or move a key to another cluster slot.
const FORBIDDEN = /[:{}]/;

/**
 * Throws BAD_USER_INPUT when `value` is empty or contains `:`, `{` or `}`; game ids and
 * type ids become parts of Redis keys, so this runs before any key is built.
 */
export function assertKeyPart(value: string, what: string): void {
  if (value.length === 0 || FORBIDDEN.test(value)) {
    throw badInput(`${what} "${value}" is not valid: it must be non-empty and contain none of ":", "{", "}".`);
  }
}

// Label keys and values, and regions, are free text: encoding keeps `lbl:a=b` unambiguous.
const enc = (s: string): string => {
  try {
    return encodeURIComponent(s);
  } catch {
    throw badInput(`"${s}" is not well-formed text (lone surrogate).`);
  }
};

export interface RedisKeys {
  readonly prefix: string;
  /** Hash holding one game. */
  game(type: string, id: string): string;
  /** What a game key starts with; the list script appends ids to read the hashes of a page. */
  gamePrefix(type: string): string;
  /** Sorted set of the games in `state`, scored by createdAt. */
  stateIndex(type: string, state: GameState): string;
  /** Free seats index (score = capacity − players), holding every game of the type. */
  freeIndex(type: string): string;
  visibilityIndex(type: string, visibility: Visibility): string;
  regionIndex(type: string, region: string): string;
  /** Declared string label `key` equal to `value`, scored by createdAt. */
  stringLabelIndex(type: string, key: string, value: string): string;
  /** Declared numeric label `key`, scored by its value. */
  numberLabelIndex(type: string, key: string): string;
  /** Sorted set of every game that can fall due, scored by its earliest deadline (expiresAt or a seat reservation). */
  deadlineIndex(type: string): string;
  /**
   * Quick-join index: the PUBLIC games of the type (of `region`, when given) that take
   * players and have a free seat, scored by free seats × QUICK_JOIN_FREE_WEIGHT + createdAt.
   */
  quickJoinIndex(type: string, region: string | null): string;
  /** Hash join code → game id of the type's live private games. */
  joinCodes(type: string): string;
  /** Set of the ids of the live games `playerId` created of the type (pruned as it is counted; see CREATED_GAMES_TRACKED_MS). */
  createdBy(type: string, playerId: string): string;
  /** Hash holding one party (expires PARTY_IDLE_MS after its last change). */
  party(type: string, id: string): string;
  /** Sorted set of the type's hosted games whose host has not connected yet, scored by createdAt. */
  waitingIndex(type: string): string;
  /** The type's game-server outbox: hash id → control call JSON, and its due index (sorted set). */
  outbox(type: string): string;
  outboxDue(type: string): string;
  /** When a stream entry of the type was first read (see GameLifecycleStore.markStreamSeen). */
  streamSeen(type: string): string;
  /** Marker that game `id` existed and was deleted; expires after GAME_TOMBSTONE_MS. */
  tombstone(type: string, id: string): string;
  /** Marker that event `eventId` of this type was applied; expires with the dedupe window. Any text is encoded (lone surrogate: BAD_USER_INPUT). */
  eventId(type: string, eventId: string): string;
  /** Hash holding one matchmaking ticket (expires ENDED_TICKET_KEPT_MS after it ended). */
  ticket(type: string, id: string): string;
  ticketPrefix(type: string): string;
  /**
   * One queue's keys: players' live tickets (hash), searching tickets by enqueue time and by
   * rating (sorted sets), the last waits to a match (list), its feed (stream) and the feed's floor.
   */
  queueKeys(type: string, queueId: string): { players: string; searching: string; byRating: string; waits: string; feed: string; floor: string };
  /** A queue's activity bucket of one minute (see queue-activity.ts): a hash of counts that expires. */
  queueActivity(type: string, queueId: string, minute: number): string;
  /** queueKeys in the order the ticket scripts take them (queueKeysAt in ticket.lua). */
  queueScriptKeys(type: string, queueId: string): string[];
  /**
   * The fixed KEYS every mutation script takes: game hash, free index, the state indexes
   * in ALL_STATES order, then the deadline index.
   */
  gameScriptKeys(type: string, id: string): string[];
}

/**
 * Builds every Redis key of the store under `prefix`, with the game type as hash tag
 * so one script only ever touches one cluster slot. Throws BAD_USER_INPUT for a prefix
 * with braces, and (per call) for ids or types that fail {@link assertKeyPart}.
 */
export function createKeys(prefix: string): RedisKeys {
  if (prefix.length === 0 || /[{}]/.test(prefix)) {
    throw badInput(`Redis key prefix "${prefix}" must be non-empty and contain no "{" or "}".`);
  }
  const base = (type: string): string => {
    assertKeyPart(type, "Game type");
    return `${prefix}:{${type}}`;
  };
  const game = (type: string, id: string): string => {
    assertKeyPart(id, "Game id");
    return `${base(type)}:game:${id}`;
  };
  const stateIndex = (type: string, state: GameState) => `${base(type)}:ix:state:${state}`;
  const freeIndex = (type: string) => `${base(type)}:ix:free`;
  const deadlineIndex = (type: string) => `${base(type)}:ix:deadline`;
  const queueKeys = (type: string, queueId: string) => {
    assertKeyPart(queueId, "Queue id");
    const q = `${base(type)}:queue:${queueId}`;
    return { players: `${q}:players`, searching: `${q}:searching`, byRating: `${q}:by-rating`, waits: `${q}:waits`, feed: `${q}:feed`, floor: `${q}:feed-floor` };
  };
  return {
    prefix,
    game,
    gamePrefix: (type) => `${base(type)}:game:`,
    stateIndex,
    freeIndex,
    visibilityIndex: (type, visibility) => `${base(type)}:ix:vis:${visibility}`,
    regionIndex: (type, region) => `${base(type)}:ix:region:${enc(region)}`,
    stringLabelIndex: (type, key, value) => `${base(type)}:ix:lbl:${enc(key)}=${enc(value)}`,
    numberLabelIndex: (type, key) => `${base(type)}:ix:num:${enc(key)}`,
    deadlineIndex,
    quickJoinIndex: (type, region) => `${base(type)}:ix:qj` + (region === null ? "" : `:region:${enc(region)}`),
    joinCodes: (type) => `${base(type)}:codes`,
    // Player ids are any JWT subject: encoded, so none can reach another key.
    createdBy: (type, playerId) => `${base(type)}:created-by:${enc(playerId)}`,
    party: (type, id) => {
      assertKeyPart(id, "Party id");
      return `${base(type)}:party:${id}`;
    },
    waitingIndex: (type) => `${base(type)}:ix:waiting`,
    streamSeen: (type) => `${base(type)}:stream-seen`,
    outbox: (type) => `${base(type)}:outbox`,
    outboxDue: (type) => `${base(type)}:outbox:due`,
    tombstone: (type, id) => {
      assertKeyPart(id, "Game id");
      return `${base(type)}:gone:${id}`;
    },
    // Producer-chosen text: encoded like labels so any id is one unambiguous key.
    eventId: (type, eventId) => `${base(type)}:evt:${enc(eventId)}`,
    ticket: (type, id) => {
      assertKeyPart(id, "Ticket id");
      return `${base(type)}:ticket:${id}`;
    },
    ticketPrefix: (type) => `${base(type)}:ticket:`,
    queueKeys,
    queueActivity: (type, queueId, minute) => {
      assertKeyPart(queueId, "Queue id");
      return `${base(type)}:queue:${queueId}:activity:${minute}`;
    },
    queueScriptKeys: (type, queueId) => {
      const q = queueKeys(type, queueId);
      return [q.players, q.searching, q.byRating, q.waits, q.feed, q.floor];
    },
    gameScriptKeys: (type, id) => [
      game(type, id),
      freeIndex(type),
      ...ALL_STATES.map((s) => stateIndex(type, s)),
      deadlineIndex(type),
    ],
  };
}
