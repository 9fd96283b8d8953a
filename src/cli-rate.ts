/**
 * `matchmaker rate`: OpenSkill rating updates for one match (see ratings/openskill.ts).
 *
 *   matchmaker rate match.json        # or: … | matchmaker rate
 *   {"teams": [["alice"], ["bob"]], "result": {"winner_id": "alice"}, "ratings": {"alice": {"mu": 27, "sigma": 7}}}
 *
 * Prints {"alice": {"mu", "sigma", "ordinal"}, …} as JSON. Kept out of cli.ts so it can be
 * tested without starting a process.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { rateMatch } from "./ratings/openskill.js";

export const RATE_USAGE = "rate [match.json] (stdin without a file): {teams, result?: {winner_id | ranking}, ratings?} → new ratings as JSON";

/** Bytes of match JSON read: far more than MAX_RATED_PLAYERS players with their ratings need. */
export const MAX_RATE_INPUT_BYTES = 256 * 1024;

/**
 * The new ratings for the match in `text`, as JSON text.
 *
 * @throws Error with a short message: not JSON, too large, or a match it cannot rate (which part and why).
 */
export function rateCommand(text: string): string {
  if (Buffer.byteLength(text) > MAX_RATE_INPUT_BYTES) throw new Error(`The match is over ${MAX_RATE_INPUT_BYTES} bytes.`);
  let match: unknown;
  try {
    match = JSON.parse(text);
  } catch (err) {
    throw new Error(`The match is not JSON: ${(err as Error).message}`);
  }
  try {
    return `${JSON.stringify(rateMatch(match as never), null, 2)}\n`;
  } catch (err) {
    if (err instanceof z.ZodError) throw new Error(`Cannot rate this match:\n${z.prettifyError(err)}`);
    throw err;
  }
}

/** The match text from `file`, or stdin without one. */
export function readMatch(file: string | undefined): string {
  return readFileSync(file ?? 0, "utf8");
}
