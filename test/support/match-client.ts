import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCatalog } from "../../src/config/catalog.js";
import type { Catalog } from "../../src/domain/game-type.js";
import type * as G from "../generated/graphql.js";
import * as Op from "../e2e/operations-matchmaking.js";
import { gql, type GqlResult, tokenFor } from "./app.js";

type R<T> = Promise<GqlResult<T> & { status: number }>;

/** The typed operations of test/e2e/operations-matchmaking.ts against one API endpoint. */
export function matchClient(url: string) {
  return {
    quickJoin: (v: G.QuickJoinMutationVariables, token: string): R<G.QuickJoinMutation> => gql(url, Op.QUICK_JOIN, v, token),
    joinGameByCode: (v: G.JoinGameByCodeMutationVariables, token: string): R<G.JoinGameByCodeMutation> =>
      gql(url, Op.JOIN_GAME_BY_CODE, v, token),
    joinWithParty: (v: G.JoinWithPartyMutationVariables, token: string): R<G.JoinWithPartyMutation> => gql(url, Op.JOIN_WITH_PARTY, v, token),
    createParty: (v: G.CreatePartyMutationVariables, token: string): R<G.CreatePartyMutation> => gql(url, Op.CREATE_PARTY, v, token),
    joinParty: (v: G.JoinPartyMutationVariables, token: string): R<G.JoinPartyMutation> => gql(url, Op.JOIN_PARTY, v, token),
    leaveParty: (v: G.LeavePartyMutationVariables, token: string): R<G.LeavePartyMutation> => gql(url, Op.LEAVE_PARTY, v, token),
    party: (v: G.PartyQueryVariables, token: string): R<G.PartyQuery> => gql(url, Op.PARTY, v, token),
    leave: (v: G.LeaveAndSeeMutationVariables, token: string): R<G.LeaveAndSeeMutation> => gql(url, Op.LEAVE_AND_SEE, v, token),
    policies: (): R<G.GameTypePoliciesQuery> => gql(url, Op.GAME_TYPE_POLICIES),
  };
}

export type MatchClient = ReturnType<typeof matchClient>;

/**
 * A party of `gameType` led by `leader` that each of `members` joined with their own token
 * (as players do); its id. Fails the test on any refusal.
 */
export async function formParty(url: string, gameType: string, leader: string, members: readonly string[]): Promise<string> {
  const mm = matchClient(url);
  const made = await mm.createParty({ gameType }, await tokenFor(leader));
  if (!made.data) throw new Error(`createParty: ${JSON.stringify(made.errors)}`);
  const id = made.data.createParty.id;
  for (const m of members) {
    const joined = await mm.joinParty({ id }, await tokenFor(m));
    if (!joined.data) throw new Error(`joinParty ${m}: ${JSON.stringify(joined.errors)}`);
  }
  return id;
}

/**
 * Lobby-only types for the matchmaking tests: "quad" (2–4 seats, hosts migrate, labels,
 * regions) and "octo" (2–8 seats, hosts close, prefers the oldest game).
 */
export const MATCH_CATALOG_YAML = `gameTypes:
  - id: quad
    name: Quad
    minPlayers: 2
    maxPlayers: 4
    labels: { mode: string, skill: number }
    regions: [eu, us]
    hostLeaves: migrate
  - id: octo
    name: Octo
    minPlayers: 2
    maxPlayers: 8
    quickJoin: { prefer: oldest, scanBudget: 20 }
`;

export const matchCatalog = (): Catalog => parseCatalog(MATCH_CATALOG_YAML, "match-catalog.yaml");

/** MATCH_CATALOG_YAML in a temporary file, for API processes (MATCHMAKER_GAME_TYPES). */
export function matchCatalogFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), "mm-catalog-")), "game-types.yaml");
  writeFileSync(path, MATCH_CATALOG_YAML);
  return path;
}
