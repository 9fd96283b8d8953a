/** One stream entry as delivered to a consumer. Fields are the producer's flat string pairs. */
export interface StreamEntry {
  id: string;
  fields: Record<string, string>;
  /** How many times this entry has been delivered (1 on first delivery; a takeover counts as one). */
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
 * Proof that a consumer holds the stream's lease. Only the holder reads new entries,
 * takes over pending ones and removes dead consumers. Takeovers and clean-ups check the
 * lease in the same atomic step, and every read is checked right after it (fencing): a
 * worker that lost its lease — paused, partitioned, or simply slower than the lease — is
 * refused before it applies anything, and whatever its read still took is taken over by the
 * holder, merged in stream order.
 */
export interface Lease {
  readonly consumer: string;
  /** Fencing token: strictly larger for every new holder of this stream's lease. */
  readonly token: number;
}

/** The lease was not (or no longer) held by the caller; nothing was read, claimed or removed. */
export class LeaseLostError extends Error {
  constructor(readonly lease: Lease) {
    super(`lease ${lease.token} of consumer ${lease.consumer} is no longer held`);
    this.name = "LeaseLostError";
  }
}

/** A page of entries taken over from other consumers, and where to continue. */
export interface ClaimPage {
  entries: StreamEntry[];
  /** Cursor for the next call; "0-0" when every pending entry has been taken over. */
  next: string;
}

/**
 * The game servers' event stream with consumer-group semantics (Redis Streams, or the
 * in-memory equivalent in embedded mode) and one lease per stream: one active consumer at a
 * time, so a game's entries are applied in stream order whatever happens to the workers.
 * Group name and stream key are fixed at creation.
 */
export interface EventStream {
  readonly key: string;
  readonly deadLetterKey: string;
  /** Creates the consumer group when missing (reading from the start of the stream). Idempotent. */
  ensureGroup(): Promise<void>;
  /** Appends entries as a game server would (XADD, trimmed with MAXLEN ~); returns their ids. */
  append(entries: Record<string, string>[]): Promise<string[]>;
  /**
   * Takes the stream's lease for `consumer` for `ttlMs` when nobody holds it; null while
   * another consumer (or an earlier process under the same name) holds it.
   */
  acquireLease(consumer: string, ttlMs: number): Promise<Lease | null>;
  /** Extends the lease by `ttlMs`; false when it is no longer ours (it expired, and may have been taken). */
  renewLease(lease: Lease, ttlMs: number): Promise<boolean>;
  /** Gives the lease up now, if it is still ours, so a standby takes over without waiting for it to expire. */
  releaseLease(lease: Lease): Promise<void>;
  /** Who holds the lease ("<token> <consumer>"), or null. For probes and operators. */
  leaseHolder(): Promise<string | null>;
  /**
   * New entries for the lease holder (XREADGROUP … >), waiting up to blockMs when there are
   * none, merged in stream order with any entries pending on other consumers (which it takes
   * over). Rejects with LeaseLostError when `lease` is not held.
   */
  readNew(lease: Lease, count: number, blockMs: number): Promise<StreamEntry[]>;
  /**
   * Takes over the pending entries of every consumer of the group (the holder's own
   * included), oldest first, from `cursor` ("0-0" to start), with their delivery counts.
   * Rejects with LeaseLostError when `lease` is not held.
   */
  claimPending(lease: Lease, cursor: string, count: number): Promise<ClaimPage>;
  /**
   * Removes every consumer but the holder that has nothing pending (crashed or stopped
   * workers whose entries were taken over); resolves to their names. Rejects with LeaseLostError.
   */
  removeIdleConsumers(lease: Lease): Promise<string[]>;
  /** Acknowledges in one call (XACK id…). */
  ack(ids: string[]): Promise<void>;
  /** Copies each entry with its reason and original fields to the dead-letter stream, then acks them. */
  deadLetter(letters: DeadLetter[]): Promise<void>;
  /** Entries delivered but not yet acknowledged, over the whole group. */
  pendingCount(): Promise<number>;
  /** Entries not yet delivered to the group (consumer lag), or null when unknown. */
  lag(): Promise<number | null>;
  /** Names of the group's consumers with their pending counts (what XINFO CONSUMERS shows). */
  consumers(): Promise<{ name: string; pending: number }[]>;
  /** Releases connections this stream opened itself. Idempotent. */
  close(): Promise<void>;
}
