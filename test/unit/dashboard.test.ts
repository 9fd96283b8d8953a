import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/metrics.js";

const dashboard = JSON.parse(readFileSync(new URL("../../docs/grafana/matchmaker-dashboard.json", import.meta.url), "utf8")) as {
  panels: { title: string; targets: { expr: string }[] }[];
};

describe("the Grafana dashboard (docs/grafana)", () => {
  it("only queries metrics the service exports", async () => {
    const metrics = createMetrics();
    metrics.gameGauges([], async () => ({}));
    metrics.streamGauges({ pending: async () => 0, lag: async () => 0, active: () => true });
    const exported = new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
    const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/matchmaker_[a-z_]+/g) ?? []));
    expect(used.length).toBeGreaterThan(10);
    for (const name of used) expect(exported.has(name.replace(/_(bucket|count|sum)$/, "")), `${name} is exported`).toBe(true);
  });
});
