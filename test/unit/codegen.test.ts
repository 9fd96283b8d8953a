import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
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

describe("client/src/generated/graphql.ts", () => {
  it("is what codegen makes of schema.graphql and the client's operations (run `npm run codegen` when this fails)", async () => {
    const dir = new URL("../../client/", import.meta.url);
    const config = parse(readFileSync(new URL("codegen.yml", dir), "utf8"));
    const at = (p: string) => fileURLToPath(new URL(p, dir));
    const generates = Object.fromEntries(Object.entries(config.generates).map(([out, v]) => [at(out), v]));
    const [output] = await generate({ ...config, schema: at(config.schema), documents: at(config.documents), generates, silent: true }, false);
    const committed = readFileSync(new URL("src/generated/graphql.ts", dir), "utf8");
    expect((output as { content: string }).content).toBe(committed);
  });
});
