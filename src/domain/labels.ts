import { LIMITS } from "./limits.js";
import { badInput } from "./errors.js";
import type { LabelValue } from "./game.js";
import type { GameTypeDef } from "./game-type.js";

const LABEL_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_LABELS = LIMITS.labels;
const MAX_VALUE_LENGTH = LIMITS.labelValueLength;

/**
 * Checks labels from a client: declared labels must have their declared kind (numbers
 * given as numeric strings are accepted for numeric labels); undeclared ones are kept
 * but cannot be filtered on. Throws BAD_USER_INPUT listing every problem.
 */
export function normalizeLabels(input: unknown, type: GameTypeDef): Record<string, LabelValue> {
  if (input === null || input === undefined) return {};
  if (typeof input !== "object" || Array.isArray(input)) throw badInput("labels must be an object of key → string or number.");
  const entries = Object.entries(input as Record<string, unknown>);
  // Counted before any entry is looked at: 10,000 labels cost no more than 33.
  if (entries.length > MAX_LABELS) throw badInput(`Invalid labels: at most ${MAX_LABELS} labels are allowed (got ${entries.length}).`);
  const problems: string[] = [];
  const out: Record<string, LabelValue> = {};
  for (const [key, value] of entries) {
    if (!LABEL_KEY.test(key)) {
      problems.push(`label key "${key.slice(0, 80)}" must match ${LABEL_KEY}`);
      continue;
    }
    const kind = type.labels[key];
    if (kind === "number" || (kind === undefined && typeof value === "number")) {
      const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
      if (typeof n !== "number" || !Number.isFinite(n)) problems.push(`labels.${key} must be a number`);
      else out[key] = n;
    } else if (typeof value === "string" || (kind === "string" && typeof value === "number")) {
      const s = String(value);
      if (s.length > MAX_VALUE_LENGTH) problems.push(`labels.${key} is longer than ${MAX_VALUE_LENGTH} characters`);
      else out[key] = s;
    } else {
      problems.push(`labels.${key} must be a string or a number`);
    }
  }
  if (problems.length) throw badInput(`Invalid labels: ${problems.join("; ")}.`);
  return out;
}
