import { readFileSync } from "node:fs";
import type { GraphQLObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { buildGameSchema, printSchemaSdl } from "../../src/graphql/schema.js";

describe("schema.graphql", () => {
  it("is what the code emits (run `npm run schema` and commit it when this fails)", async () => {
    const committed = readFileSync(new URL("../../schema.graphql", import.meta.url), "utf8");
    expect(printSchemaSdl(await buildGameSchema())).toBe(committed);
  });

  it("keeps the names clients rely on", async () => {
    const schema = await buildGameSchema();
    const fields = (name: string) => Object.keys((schema.getType(name) as GraphQLObjectType).getFields());
    expect(fields("Query")).toEqual(expect.arrayContaining(["gameTypes", "gameType", "game", "games", "party", "matchTicket"]));
    expect(fields("Mutation")).toEqual(
      expect.arrayContaining(["createGame", "joinGame", "leaveGame", "updateGame", "deleteGame", "createParty", "joinParty", "leaveParty", "enqueueMatchTicket", "cancelMatchTicket"]),
    );
    expect(fields("Subscription").sort()).toEqual(["gameChanged", "matchTicketChanged", "partyChanged"]);
    expect(fields("GameConnection")).toEqual(expect.arrayContaining(["edges", "pageInfo", "totalCount"]));
  });
});
