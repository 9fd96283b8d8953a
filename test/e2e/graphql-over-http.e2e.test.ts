/**
 * The GraphQL-over-HTTP spec's audits (graphql-http's serverAudits: every MUST, SHOULD and MAY
 * the spec's reference implementation checks), against the real server in both modes.
 */
import { serverAudits } from "graphql-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../support/app.js";
import { bothModes } from "./modes.js";

describe.each(bothModes())("GraphQL over HTTP, audited ($name)", (mode) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await mode.start();
  });
  afterAll(async () => {
    await t?.close();
    await mode.teardown();
  });

  it("passes every MUST, SHOULD and MAY audit", async () => {
    const failed: string[] = [];
    const audits = serverAudits({ url: t.url });
    for (const audit of audits) {
      const result = await audit.fn();
      if (result.status !== "ok") failed.push(`${audit.name} — ${result.status}: ${result.reason}`);
    }
    expect(audits.filter((a) => a.name.startsWith("SHOULD")).length).toBeGreaterThan(10);
    expect(audits.filter((a) => a.name.startsWith("MAY")).length).toBeGreaterThan(0);
    expect(failed).toEqual([]);
  });
});
