/** One stream entry as delivered to a consumer. Fields are the producer's flat string pairs. */
export interface StreamEntry {
  id: string;
  fields: Record<string, string>;
  /** How many times this entry has been delivered (1 on first delivery). */
  deliveries: number;
}

export interface DeadLetter {
  entry: StreamEntry;
  /** Short machine-readable reason, e.g. "malformed", "unknown_game", "invalid_transition", "max_deliveries". */
  reason: string;
  /** Human-readable detail for the operator. */
  detail: string;
}

/**
 * The game servers' event stream with consumer-group semantics (Redis Streams, or the
 * in-memory equivalent in embedded mode). Group name and stream key are fixed at creation.
 */
export interface EventStream {
  readonly key: string;
  readonly deadLetterKey: string;
  /** Creates the consumer group when missing (reading from the start of the stream). Idempotent. */
  ensureGroup(): Promise<void>;
  /** Appends entries as a game server would (XADD, trimmed with MAXLEN ~); returns their ids. */
  append(entries: Record<string, string>[]): Promise<string[]>;
  /** New entries for `consumer` (XREADGROUP ... >), waiting up to blockMs when there are none. */
  readNew(consumer: string, count: number, blockMs: number): Promise<StreamEntry[]>;
  /** Entries pending on any consumer for ≥ minIdleMs, claimed for `consumer` (XAUTOCLAIM), with delivery counts. */
  claimIdle(consumer: string, minIdleMs: number, count: number): Promise<StreamEntry[]>;
  /** Acknowledges in one call (XACK id…). */
  ack(ids: string[]): Promise<void>;
  /** Copies each entry with its reason and original fields to the dead-letter stream, then acks them. */
  deadLetter(letters: DeadLetter[]): Promise<void>;
  /** Entries delivered but not yet acknowledged, over the whole group. */
  pendingCount(): Promise<number>;
  /** Entries not yet delivered to the group (consumer lag), or null when unknown. */
  lag(): Promise<number | null>;
  /** Releases connections this stream opened itself. Idempotent. */
  close(): Promise<void>;
}
