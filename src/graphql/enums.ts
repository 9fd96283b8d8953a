import { registerEnumType } from "type-graphql";
import { SortDirection, SortField } from "../domain/filter.js";
import { ChangeKind, GameState, Visibility } from "../domain/game.js";

registerEnumType(GameState, {
  name: "GameState",
  description: "Life-cycle state; wire names: created, creator_joined, all_players_joined, in_progress, ended.",
});
registerEnumType(Visibility, { name: "Visibility", description: "PRIVATE games are never listed; they are joined by id with a join code." });
registerEnumType(ChangeKind, { name: "ChangeKind" });
registerEnumType(SortField, { name: "GameSortField" });
registerEnumType(SortDirection, { name: "SortDirection" });

export { ChangeKind, GameState, SortDirection, SortField, Visibility };
