/**
 * The matchmaking keys of a catalog entry, kept apart from catalog.ts so that file stays
 * about the catalog as a whole:
 *
 *   hostLeaves: close | migrate       # optional; default close
 *   quickJoin:                        # optional
 *     prefer: fewestFreeSeats         # fewestFreeSeats (default) | mostFreeSeats | oldest
 *     scanBudget: 50                  # 1..1000; candidates one quickJoin examines at most
 */
import { z } from "zod";
import { HostLeaves, type QuickJoinConfig, QuickJoinPreference } from "../domain/game-type.js";

export const DEFAULT_QUICK_JOIN: Readonly<QuickJoinConfig> = Object.freeze({
  prefer: QuickJoinPreference.FEWEST_FREE_SEATS,
  scanBudget: 50,
});

/** zod shapes merged into the game-type schema. */
export const matchmakingKeys = {
  hostLeaves: z.enum([HostLeaves.CLOSE, HostLeaves.MIGRATE]).optional(),
  quickJoin: z
    .strictObject({
      prefer: z
        .enum([QuickJoinPreference.FEWEST_FREE_SEATS, QuickJoinPreference.MOST_FREE_SEATS, QuickJoinPreference.OLDEST])
        .optional(),
      scanBudget: z.number().int().min(1).max(1000).optional(),
    })
    .optional(),
};

type MatchmakingInput = { [K in keyof typeof matchmakingKeys]?: z.infer<(typeof matchmakingKeys)[K]> };

/** The defaults applied to what an entry gives. Never throws (the input is already validated). */
export function matchmakingDef(t: MatchmakingInput): { hostLeaves: HostLeaves; quickJoin: QuickJoinConfig } {
  return {
    hostLeaves: (t.hostLeaves as HostLeaves | undefined) ?? HostLeaves.CLOSE,
    quickJoin: {
      prefer: (t.quickJoin?.prefer as QuickJoinPreference | undefined) ?? DEFAULT_QUICK_JOIN.prefer,
      scanBudget: t.quickJoin?.scanBudget ?? DEFAULT_QUICK_JOIN.scanBudget,
    },
  };
}
