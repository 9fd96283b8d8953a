import { GraphQLJSON } from "graphql-scalars";
import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import { ChangeKind, GameState, Visibility } from "./enums.js";
import { GameType } from "./game-type.type.js";

@ObjectType({ description: "A player as every game sees them: keyed by id, so a normalized client cache may share it between games." })
export class Player {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;
}

@ObjectType({ description: "How the ticket matcher formed a game: its queue, the teams and how even they are." })
export class GameMatch {
  @Field(() => String, { description: "The queue's id in the game type's catalog entry." })
  queue!: string;

  @Field(() => [[ID]], { description: "The player ids of each team (one team for a group layout)." })
  teams!: string[][];

  @Field(() => [Float], { description: "Each team's rating (the party-size weighted mean of its tickets' ratings), in the order of teams." })
  teamRatings!: number[];

  @Field(() => Float, { description: "Highest team rating − lowest." })
  teamDifference!: number;

  @Field(() => Float, { description: "Highest player rating − lowest." })
  ratingSpread!: number;
}

@ObjectType({ description: "One taken seat of one game: what differs per game lives here, not on Player." })
export class Seat {
  @Field(() => Player)
  player!: Player;

  @Field(() => Date)
  joinedAt!: Date;

  @Field(() => Boolean, { description: "Seat confirmed by the game server (always true for the creator)." })
  confirmed!: boolean;
}

@ObjectType({ description: "How a player reaches the game server: connect to socketUrl?game_token=<token>&user_id=<id>." })
export class GameServerAccess {
  @Field(() => String, { nullable: true })
  socketUrl!: string | null;

  @Field(() => String, { nullable: true })
  token!: string | null;
}

/**
 * Resolvers return store records (times in ms); the fields that need the caller or the
 * catalog are resolved in game.resolver.ts.
 */
@ObjectType()
export class Game {
  @Field(() => ID)
  id!: string;

  @Field(() => GameType)
  gameType!: GameType;

  @Field(() => GameState)
  state!: GameState;

  @Field(() => Int, { description: "Bumped by exactly 1 on every change; compare with gameChanged to resync." })
  version!: number;

  @Field(() => Player)
  creator!: Player;

  @Field(() => [Player], { description: "The seated players in seating order (the same order as seats)." })
  players!: Player[];

  @Field(() => [Seat], { description: "The taken seats in seating order, with when each was taken and whether the game server confirmed it." })
  seats!: Seat[];

  @Field(() => Int)
  capacity!: number;

  @Field(() => Int)
  freeSeats!: number;

  @Field(() => Visibility)
  visibility!: Visibility;

  @Field(() => String, { nullable: true, description: "Private games only, and shown to the creator only." })
  joinCode!: string | null;

  @Field(() => String, { nullable: true })
  region!: string | null;

  @Field(() => GraphQLJSON)
  settings!: Record<string, unknown>;

  @Field(() => GraphQLJSON)
  labels!: Record<string, unknown>;

  @Field(() => GraphQLJSON, { nullable: true, description: "From the game server's game_over event." })
  result!: Record<string, unknown> | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;

  @Field(() => Boolean, {
    description:
      "false while a hosted game waits for its host to connect to the game server (creator_joined). Until then only " +
      "the host gets `server`; the other players watch gameChanged(id) for the change that sets this true and connect " +
      "then. Always true for game types without a game server.",
  })
  hostConnected!: boolean;

  @Field(() => GameServerAccess, {
    nullable: true,
    description: "null unless the caller is a player of this game and may connect now (the host, or anyone once hostConnected).",
  })
  server!: GameServerAccess | null;

  @Field(() => GameMatch, { nullable: true, description: "On a game the ticket matcher formed (matchTicket): its teams and their ratings; null otherwise." })
  match!: GameMatch | null;
}

@ObjectType()
export class GameEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Game)
  node!: Game;
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Pass as `after` for the next page. When a search stops at its scan budget it can lie past the last edge, " +
      "and a page can be short or empty while hasNextPage is true: keep paging.",
  })
  endCursor!: string | null;
}

@ObjectType()
export class GameConnection {
  @Field(() => [GameEdge])
  edges!: GameEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int, {
    description: "Games matching the filter, across all pages: exact unless totalCountCapped, then a lower bound (counting stops early so a page stays fast).",
  })
  totalCount!: number;

  @Field(() => Boolean, { description: "true when totalCount is a lower bound: at least that many games match." })
  totalCountCapped!: boolean;
}

@ObjectType({ description: "One change to one game; its version increases per game (a change re-sent after a worker crash may repeat one)." })
export class GameChange {
  @Field(() => ChangeKind)
  kind!: ChangeKind;

  @Field(() => ID)
  gameId!: string;

  @Field(() => ID)
  gameType!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => GameState, { nullable: true, description: "State before this change (null when created)." })
  previousState!: GameState | null;

  @Field(() => Game, { nullable: true, description: "The game after the change; null when DELETED." })
  game!: Game | null;
}
