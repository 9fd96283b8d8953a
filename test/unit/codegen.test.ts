import { readFileSync } from "node:fs";
import { generate } from "@graphql-codegen/cli";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

describe("test/generated/graphql.ts", () => {
  it("is what codegen makes of schema.graphql and the operations (run `npm run codegen` when this fails)", async () => {
    const config = parse(readFileSync(new URL("../../codegen.yml", import.meta.url), "utf8"));
    const [output] = await generate({ ...config, silent: true }, false);
    const committed = readFileSync(new URL("../generated/graphql.ts", import.meta.url), "utf8");
    expect((output as { content: string }).content).toBe(committed);
  });
});
