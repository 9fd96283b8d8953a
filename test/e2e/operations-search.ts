/** Lobby-search operations the end-to-end tests send (label and nearness sorts, between, counts); typed by codegen. */

export const SEARCH_GAMES = /* GraphQL */ `
  query SearchGames($filter: GameFilter, $sort: GameSort, $first: Int, $after: String) {
    games(filter: $filter, sort: $sort, first: $first, after: $after) {
      totalCount
      totalCountCapped
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id region freeSeats labels createdAt } }
    }
  }
`;
