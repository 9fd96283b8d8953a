import { readFileSync } from "node:fs";
import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { SHIPPED_OPERATION_NAMES } from "../../src/graphql/known-operations.js";

const CLIENT_OPERATIONS = new URL("../../client/src/operations.graphql", import.meta.url);

describe("operation names counted in metrics", () => {
  it("counts every operation the client SDK ships under its own name, not as other", () => {
    const names = parse(readFileSync(CLIENT_OPERATIONS, "utf8")).definitions.flatMap((d) => (d.kind === "OperationDefinition" && d.name ? [d.name.value] : []));
    expect(names.length).toBeGreaterThan(15);
    expect(names.filter((n) => !SHIPPED_OPERATION_NAMES.includes(n))).toEqual([]);
  });
});
