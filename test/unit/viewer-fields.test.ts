import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { VIEWER_FIELDS } from "../../src/graphql/viewer-fields.js";

// A subscription's frames are shared by every subscriber of the same selection unless it selects
// a field named in VIEWER_FIELDS: a field resolver reading the actor and missing there would
// show one viewer's value (a join code, a server token) to all.
describe("fields whose value depends on the viewer", () => {
  const dir = join(import.meta.dirname, "../../src/graphql");
  const resolvers = readdirSync(dir).filter((f) => f.endsWith(".resolver.ts"));
  const fieldResolvers = resolvers.flatMap((file) => {
    const text = readFileSync(join(dir, file), "utf8");
    // Each @FieldResolver method: its name and its body up to the method's closing brace.
    return [...text.matchAll(/@FieldResolver\([^\n]*\n\s*(?:async\s+)?(\w+)\(([^\n]*)\)[^\n]*\{\n([\s\S]*?)\n {2}\}\n/g)].map((m) => ({ file, name: m[1]!, body: m[2]! + m[3]! }));
  });

  it("finds the field resolvers it checks", () => {
    expect(fieldResolvers.map((f) => f.name)).toEqual(expect.arrayContaining(["joinCode", "server", "freeSeats", "players"]));
  });

  it("names every field resolver that reads the actor", () => {
    const readers = fieldResolvers.filter((f) => /\bactor\b/.test(f.body)).map((f) => f.name);
    expect(readers.length).toBeGreaterThan(0);
    for (const name of readers) expect(VIEWER_FIELDS, `${name} reads the actor`).toContain(name);
  });
});
