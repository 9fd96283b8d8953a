/** How long a control call handed out for its n-th attempt is held back before it comes round again. */
export const OUTBOX_FIRST_HOLD_MS = 1_000;
export const OUTBOX_MAX_HOLD_MS = 300_000;

/** The hold after attempt `attempts` (1, 2, …): 1 s, 2 s, 4 s … capped at 5 min, never under `minHoldMs`. Never throws. */
export const outboxHoldMs = (attempts: number, minHoldMs = 0): number =>
  Math.max(minHoldMs, Math.min(OUTBOX_MAX_HOLD_MS, OUTBOX_FIRST_HOLD_MS * 2 ** Math.min(Math.max(0, attempts - 1), 20)));

/** A call the game server refuses (4xx) is given up at this attempt: repeating it will not help. */
export const OUTBOX_MAX_REFUSALS = 3;

/** A control call the game server has not taken for this long is given up (logged and counted). */
export const OUTBOX_GIVE_UP_MS = 86_400_000;
