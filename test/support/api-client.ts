import type * as G from "../generated/graphql.js";
import * as Op from "../e2e/operations.js";
import { gql, type GqlResult } from "./app.js";

type R<T> = Promise<GqlResult<T> & { status: number }>;

/** The typed operations of test/e2e/operations.ts against one API endpoint. */
export function apiClient(url: string) {
  return {
    gameTypes: (): R<G.GameTypesQuery> => gql(url, Op.GAME_TYPES),
    gameType: (v: G.GameTypeQueryVariables): R<G.GameTypeQuery> => gql(url, Op.GAME_TYPE, v),
    game: (v: G.GameQueryVariables, token?: string): R<G.GameQuery> => gql(url, Op.GAME, v, token),
    games: (v: G.GamesQueryVariables, token?: string): R<G.GamesQuery> => gql(url, Op.GAMES, v, token),
    createGame: (v: G.CreateGameMutationVariables, token?: string): R<G.CreateGameMutation> =>
      gql(url, Op.CREATE_GAME, v, token),
    joinGame: (v: G.JoinGameMutationVariables, token?: string): R<G.JoinGameMutation> => gql(url, Op.JOIN_GAME, v, token),
    leaveGame: (v: G.LeaveGameMutationVariables, token?: string): R<G.LeaveGameMutation> =>
      gql(url, Op.LEAVE_GAME, v, token),
    updateGame: (v: G.UpdateGameMutationVariables, token?: string): R<G.UpdateGameMutation> =>
      gql(url, Op.UPDATE_GAME, v, token),
    deleteGame: (v: G.DeleteGameMutationVariables, token?: string): R<G.DeleteGameMutation> =>
      gql(url, Op.DELETE_GAME, v, token),
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

/** Unwraps data, failing loudly with the errors a test did not expect. */
export async function ok<T>(p: Promise<GqlResult<T>>): Promise<T> {
  const r = await p;
  if (r.errors?.length || !r.data) throw new Error(`unexpected GraphQL errors: ${JSON.stringify(r.errors)}`);
  return r.data;
}
