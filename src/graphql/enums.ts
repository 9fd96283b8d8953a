import { registerEnumType } from "type-graphql";
import { SortDirection, SortField } from "../domain/filter.js";
import { ChangeKind, GameState, Visibility } from "../domain/game.js";
import { HostLeaves, QuickJoinPreference } from "../domain/game-type.js";
import { TicketStatus } from "../domain/tickets/ticket-record.js";

registerEnumType(GameState, {
  name: "GameState",
  description: "Life-cycle state; wire names: created, creator_joined, all_players_joined, in_progress, ended.",
});
registerEnumType(Visibility, { name: "Visibility", description: "PRIVATE games are never listed; they are joined by id with a join code." });
registerEnumType(ChangeKind, { name: "ChangeKind" });
registerEnumType(HostLeaves, {
  name: "HostLeavesPolicy",
  description: "What happens when a game's creator leaves: CLOSE deletes it, MIGRATE hands it to the longest-seated player.",
});
registerEnumType(QuickJoinPreference, {
  name: "QuickJoinPreference",
  description: "Which fitting game quickJoin picks first; ties go to the oldest game.",
});
registerEnumType(SortField, {
  name: "GameSortField",
  valuesConfig: {
    CREATED_AT: { description: "Creation time." },
    FREE_SEATS: { description: "Free seats, then creation time." },
    LABEL: { description: "The numeric label sort.label (declared by the game type); games without it are not listed. Ties by id." },
    NEAREST: {
      description:
        "Closeness of the numeric label sort.label to sort.target (|value − target|, closest first; ASC only); " +
        "at equal distance the lower value first, then by id. Games without the label are not listed.",
    },
  },
});
registerEnumType(SortDirection, { name: "SortDirection" });

registerEnumType(TicketStatus, {
  name: "MatchTicketStatus",
  description: "SEARCHING until exactly one outcome: MATCHED (into a new game), TIMED_OUT (with a reason) or CANCELLED.",
});

export { ChangeKind, GameState, HostLeaves, QuickJoinPreference, SortDirection, SortField, TicketStatus, Visibility };
