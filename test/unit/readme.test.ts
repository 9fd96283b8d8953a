import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ENV_VARS } from "../../src/config/env.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("documents every environment variable with its default", () => {
    for (const v of ENV_VARS) {
      const row = readme.split("\n").find((l) => l.startsWith(`| \`${v.name}\` |`));
      expect(row, `README row for ${v.name}`).toBeDefined();
      expect(row).toContain(v.default === null ? "| — |" : `| \`${v.default}\` |`);
    }
  });

  it("starts with the quick start the CI relies on", () => {
    expect(readme).toContain("npm ci && npm start");
    expect(readme).toContain("npm test");
  });
});
