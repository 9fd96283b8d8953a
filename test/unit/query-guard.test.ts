import "reflect-metadata";
import type { GraphQLSchema } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { LIMITS } from "../../src/domain/limits.js";
import { buildGameSchema } from "../../src/graphql/schema.js";
import { createQueryGuard } from "../../src/http/query-guard.js";

const limits = { maxTokens: 2_000, maxDepth: 8, maxAliases: 15, maxDirectives: 10, maxCost: 50_000 };
const watch = (n: number) => `subscription W${n} { gameChanged(gameType: "lobby") { version game { id freeSeats } } }`;

describe("graphql-ws documents kept for reuse", () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildGameSchema();
  });

  it("hands every subscriber of one query the same parsed document", () => {
    const guard = createQueryGuard(schema, limits, true);
    const a = guard.checkOperation(watch(1));
    const b = guard.checkOperation(watch(1));
    expect("document" in a && "document" in b && a.document === b.document).toBe(true);
  });

  it("keeps at most LIMITS.cachedDocuments, however many distinct queries arrive", () => {
    const guard = createQueryGuard(schema, limits, true);
    for (let i = 0; i < LIMITS.cachedDocuments + 500; i++) expect("document" in guard.checkOperation(watch(i))).toBe(true);
    expect(guard.cachedDocuments).toBe(LIMITS.cachedDocuments);
  });

  it("never keeps a refused document, nor a query or mutation, and checks each call's cost", () => {
    const guard = createQueryGuard(schema, { ...limits, maxCost: 500 }, true);
    expect("errors" in guard.checkOperation(`subscription { gameChanged { nope } }`)).toBe(true);
    expect(guard.cachedDocuments).toBe(0);
    const page = `query P($n: Int) { games(first: $n) { edges { node { id players { id name } } } } }`;
    expect("document" in guard.checkOperation(page, { n: 1 })).toBe(true);
    const big = guard.checkOperation(page, { n: 100 });
    expect("errors" in big && big.errors[0]!.extensions.code).toBe("BAD_USER_INPUT");
    expect(guard.cachedDocuments).toBe(0);
    expect("document" in guard.checkOperation(watch(1))).toBe(true);
    expect(guard.cachedDocuments).toBe(1);
  });
});
