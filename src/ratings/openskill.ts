/**
 * Rating updates after a match, with OpenSkill (Weng–Lin, Plackett–Luce): a separate helper for
 * studios that have no rating system of their own. The matchmaker itself never changes a
 * rating — tickets carry the studio's — so this turns what it already reports (a matched
 * ticket's `teams`, the game's `game_over` result) into new ratings the studio stores and sends
 * with the players' next tickets. The `openskill` package does the mathematics.
 */
import { ordinal, rate, rating } from "openskill";
import { z } from "zod";

/** Teams in one rated match, and players in all of them: OpenSkill's cost grows with both. */
export const MAX_RATED_TEAMS = 16;
export const MAX_RATED_PLAYERS = 200;

export interface SkillRating {
  /** The estimate of skill. */
  mu: number;
  /** How uncertain it still is (shrinks with every rated match). */
  sigma: number;
}

export interface RatedPlayer extends SkillRating {
  /** mu − 3σ: a conservative skill, the number to sort a ladder by and send as a ticket's rating (scaled as you like). */
  ordinal: number;
}

const idSchema = z.string().min(1).max(128);
const skill = z.strictObject({ mu: z.number().finite(), sigma: z.number().finite().positive() });

/**
 * One match to rate: its teams as a matched ticket reports them (player ids per team), the
 * game's result as its `game_over` entry left it — `winner_id` (that player's team won, the
 * others lost alike), `ranking` (team indexes, best first; teams left out share the last place),
 * or neither (a draw) — and the players' ratings so far (a player without one starts at mu 25,
 * sigma 25/3).
 */
export const rateMatchInput = z
  .strictObject({
    teams: z.array(z.array(idSchema).min(1)).min(2).max(MAX_RATED_TEAMS),
    result: z
      .looseObject({ winner_id: idSchema.optional(), ranking: z.array(z.number().int().min(0)).max(MAX_RATED_TEAMS).optional() })
      .nullable()
      .default(null),
    ratings: z.record(idSchema, skill).default({}),
  })
  .superRefine((m, ctx) => {
    const ids = m.teams.flat();
    if (ids.length > MAX_RATED_PLAYERS) ctx.addIssue({ code: "custom", path: ["teams"], message: `At most ${MAX_RATED_PLAYERS} players in a rated match.` });
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: "custom", path: ["teams"], message: "A player appears in two places." });
    const w = m.result?.winner_id;
    if (w !== undefined && !ids.includes(w)) ctx.addIssue({ code: "custom", path: ["result", "winner_id"], message: `winner_id "${w}" is in no team.` });
    const ranking = m.result?.ranking;
    if (ranking && (ranking.some((i) => i >= m.teams.length) || new Set(ranking).size !== ranking.length)) {
      ctx.addIssue({ code: "custom", path: ["result", "ranking"], message: `ranking lists team indexes 0..${m.teams.length - 1}, each once.` });
    }
  });
export type RateMatchInput = z.input<typeof rateMatchInput>;

/** Each team's place (1 = best; equal places are a tie) from the result. */
function places(teams: readonly string[][], result: { winner_id?: string; ranking?: number[] } | null): number[] {
  if (result?.ranking) {
    const at = new Map(result.ranking.map((team, i) => [team, i + 1]));
    return teams.map((_, i) => at.get(i) ?? result.ranking!.length + 1);
  }
  if (result?.winner_id !== undefined) return teams.map((team) => (team.includes(result.winner_id!) ? 1 : 2));
  return teams.map(() => 1);
}

/**
 * Every player's rating after the match. Never changes its input.
 *
 * @throws z.ZodError for a match it cannot rate (the messages say which part): fewer than two
 *   teams, more than MAX_RATED_TEAMS or MAX_RATED_PLAYERS, a player twice, a winner or a
 *   ranking naming no team, a rating that is not finite (or a sigma ≤ 0).
 */
export function rateMatch(input: RateMatchInput): Record<string, RatedPlayer> {
  const m = rateMatchInput.parse(input);
  const before = m.teams.map((team) => team.map((id) => (m.ratings[id] ? rating(m.ratings[id]) : rating())));
  const after = rate(before, { rank: places(m.teams, m.result) });
  const out: Record<string, RatedPlayer> = {};
  m.teams.forEach((team, t) =>
    team.forEach((id, p) => {
      const r = after[t]![p]!;
      out[id] = { mu: r.mu, sigma: r.sigma, ordinal: ordinal(r) };
    }),
  );
  return out;
}
