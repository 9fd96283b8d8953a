import { describe, expect, it } from "vitest";
import { parseCatalog } from "../../src/config/catalog.js";
import { parseQueue, QUEUE_DEFAULTS } from "../../src/config/catalog-queues.js";
import { WindowClock } from "../../src/domain/tickets/queue.js";
import { configError } from "../support/throws.js";

/** A catalog with one game type of 2..10 players holding `queues` (YAML, indented as a list). */
const catalogWith = (queues: string) => `gameTypes:
  - id: duel
    name: Duel
    minPlayers: 2
    maxPlayers: 10
    queues:
${queues}`;

const problems = (queues: string) => configError(() => parseCatalog(catalogWith(queues), "games.yaml")).format().split("\n");

describe("catalog queues: what a studio writes", () => {
  it("accepts a ranked 1v1 and a 2 × 2 queue, defaults filled in and frozen", () => {
    const catalog = parseCatalog(
      catalogWith(`      - id: ranked-1v1
        teams: { count: 2, size: 1 }
        rating:
          attribute: mmr
          initialWindow: 100
          expansion: { kind: steps, steps: [{ afterMs: 10000, window: 200 }, { afterMs: 30000, window: 400 }] }
          maxWindow: 1000
        region: { maxLatencyMs: 80, expansion: [{ afterMs: 20000, maxLatencyMs: 150 }] }
      - id: duos
        teams: { count: 2, size: 2 }
        windowClock: oldest
        partySize: { maxSpread: 0 }
        maxWaitMs: 120000
`),
      "games.yaml",
    );
    const [ranked, duos] = catalog.get("duel")!.queues!;
    expect(ranked).toEqual({
      id: "ranked-1v1",
      teams: { kind: "teams", count: 2, size: 1 },
      rating: {
        attribute: "mmr",
        source: "input",
        initialWindow: 100,
        expansion: { kind: "steps", steps: [{ afterMs: 10_000, window: 200 }, { afterMs: 30_000, window: 400 }] },
        maxWindow: 1000,
      },
      windowClock: WindowClock.OWN,
      region: { maxLatencyMs: 80, expansion: [{ afterMs: 20_000, maxLatencyMs: 150 }] },
      partySize: { max: 1, maxSpread: null },
      maxWaitMs: 300_000,
      backfill: false,
      seedsPerTick: 1000,
      candidatesPerSeed: 64,
    });
    expect(duos).toMatchObject({ windowClock: WindowClock.OLDEST, partySize: { max: 2, maxSpread: 0 }, maxWaitMs: 120_000, region: null });
    expect(Object.isFrozen(ranked) && Object.isFrozen(ranked!.rating.expansion) && Object.isFrozen(ranked!.teams)).toBe(true);
  });

  it("defaults a bare queue to a linear window of 100 + 10 per second up to 1000, clock own", () => {
    const q = parseQueue({ id: "coop", teams: { count: 1, minPlayers: 2, maxPlayers: 4 } });
    expect(q.teams).toEqual({ kind: "group", minPlayers: 2, maxPlayers: 4 });
    expect(q.rating).toEqual({ attribute: "mmr", source: "input", initialWindow: 100, expansion: { kind: "linear", perSecond: 10 }, maxWindow: 1000 });
    expect(q.partySize).toEqual({ max: 4, maxSpread: null });
    expect(q.windowClock).toBe(QUEUE_DEFAULTS.windowClock);
  });

  it("a type without queues has none", () => {
    const catalog = parseCatalog("gameTypes:\n  - { id: solo, name: Solo, minPlayers: 1, maxPlayers: 1 }\n", "games.yaml");
    expect(catalog.get("solo")!.queues).toEqual([]);
  });

  it("reports nonsense in windows and steps, with path and line", () => {
    expect(
      problems(`      - id: ranked
        teams: { count: 2, size: 1 }
        rating:
          initialWindow: 100
          expansion:
            kind: steps
            steps:
              - { afterMs: 10000, window: 200 }
              - { afterMs: 10000, window: 150 }
              - { afterMs: 400000, window: 2000 }
        windowclock: own
`),
    ).toEqual([
      "games.yaml: gameTypes[0].queues[0].windowclock: unknown key (misspelt?) (line 17)",
      "games.yaml: gameTypes[0].queues[0].rating.expansion.steps[1].afterMs: must be greater than the previous step's afterMs (10000) (line 15)",
      "games.yaml: gameTypes[0].queues[0].rating.expansion.steps[1].window: must be >= the previous step's window (200) (line 15)",
      "games.yaml: gameTypes[0].queues[0].rating.expansion.steps[2].afterMs: is never reached: tickets time out at maxWaitMs (300000) (line 16)",
      "games.yaml: gameTypes[0].queues[0].rating.expansion.steps[2].window: exceeds maxWindow (1000) (line 16)",
    ]);
  });

  it("reports team layouts that cannot exist", () => {
    expect(
      problems(`      - { id: both, teams: { count: 2, size: 5, minPlayers: 2 } }
      - { id: neither, teams: { count: 2 } }
      - { id: coop, teams: { count: 2, minPlayers: 6, maxPlayers: 4 } }
      - { id: huge, teams: { count: 11, size: 10 } }
      - { id: alone, teams: { count: 1, size: 1 } }
`),
    ).toEqual([
      "games.yaml: gameTypes[0].queues[0].teams: give either size (count teams of that many players) or minPlayers and maxPlayers (one group), not both (line 7)",
      "games.yaml: gameTypes[0].queues[1].teams: needs size (count teams of that many players) or minPlayers and maxPlayers (one group) (line 8)",
      "games.yaml: gameTypes[0].queues[2].teams.count: must be 1 for a group (minPlayers/maxPlayers): a group is one team (line 9)",
      "games.yaml: gameTypes[0].queues[2].teams.maxPlayers: must be >= minPlayers (6) (line 9)",
      "games.yaml: gameTypes[0].queues[3].teams: count × size is 110 players; a match holds at most 100 (line 10)",
      "games.yaml: gameTypes[0].queues[4].teams: a match needs at least 2 players (line 11)",
    ]);
  });

  it("reports a queue whose matches do not fit the game type's player bounds", () => {
    const text = `gameTypes:
  - id: duel
    name: Duel
    minPlayers: 3
    maxPlayers: 4
    queues:
      - { id: five-a-side, teams: { count: 2, size: 5 } }
      - { id: coop, teams: { count: 1, minPlayers: 2, maxPlayers: 4 } }
`;
    expect(configError(() => parseCatalog(text, "games.yaml")).format().split("\n")).toEqual([
      "games.yaml: gameTypes[0].queues[0].teams: a match of 10 players does not fit the type's maxPlayers (4) (line 7)",
      "games.yaml: gameTypes[0].queues[1].teams: a match of 2 players is below the type's minPlayers (3) (line 8)",
    ]);
  });

  it("refuses backfill unless the type declares the queue's rating attribute as a number label, and with ratings from tokens", () => {
    expect(problems("      - { id: open, teams: { count: 2, size: 1 }, backfill: true }")).toEqual([
      'games.yaml: gameTypes[0].queues[0].backfill: needs the game type to declare the label "mmr" (the queue\'s rating attribute) as a number: open games are found by it (line 7)',
    ]);
    const ok = parseCatalog(catalogWith("      - { id: open, teams: { count: 2, size: 1 }, backfill: true }").replace("    queues:", "    labels: { mmr: number }\n    queues:"), "games.yaml");
    expect(ok.get("duel")!.queues![0]!.backfill).toBe(true);
    // Open games' rating label is their creator's word: not for a queue whose ratings are signed.
    const signed = "      - { id: open, teams: { count: 2, size: 1 }, backfill: true, rating: { source: token } }";
    expect(() => parseCatalog(catalogWith(signed).replace("    queues:", "    labels: { mmr: number }\n    queues:"), "games.yaml")).toThrow(
      /queues\[0\]\.backfill: cannot go with rating\.source: token/,
    );
  });

  it("reports a party that could never fit, bad values and out-of-range bounds", () => {
    expect(
      problems(`      - id: premade
        teams: { count: 2, size: 5 }
        partySize: { max: 6 }
        windowClock: fastest
        rating: { source: client }
      - id: "bad:id"
        teams: { count: 2, size: 1 }
        rating: { expansion: { kind: linear }, maxWindow: 50 }
        region: { maxLatencyMs: 80, expansion: [{ afterMs: 1000, maxLatencyMs: 60 }] }
        seedsPerTick: 0
        candidatesPerSeed: 5000
`),
    ).toEqual([
      'games.yaml: gameTypes[0].queues[0].rating.source: must be one of "input", "token" (line 11)',
      'games.yaml: gameTypes[0].queues[0].windowClock: must be one of "own", "oldest", "newest" (line 10)',
      "games.yaml: gameTypes[0].queues[1].id: must be 1-64 letters, digits, '_' or '-' (line 12)",
      "games.yaml: gameTypes[0].queues[1].seedsPerTick: must be >= 1 (line 16)",
      "games.yaml: gameTypes[0].queues[1].candidatesPerSeed: must be <= 1024 (line 17)",
      "games.yaml: gameTypes[0].queues[1].rating.maxWindow: must be >= initialWindow (100) (line 14)",
      "games.yaml: gameTypes[0].queues[1].rating.expansion.perSecond: is required for kind linear (line 14)",
      "games.yaml: gameTypes[0].queues[1].region.expansion[0].maxLatencyMs: must be >= maxLatencyMs (80) (line 15)",
    ]);
    expect(problems("      - { id: premade, teams: { count: 2, size: 5 }, partySize: { max: 6 } }\n")).toEqual([
      "games.yaml: gameTypes[0].queues[0].partySize.max: a party of 6 could never fit: a team holds 5 players (line 7)",
    ]);
  });

  it("reports a queue id used twice in one type", () => {
    expect(problems("      - { id: q, teams: { count: 2, size: 1 } }\n      - { id: q, teams: { count: 2, size: 2 } }\n")).toEqual([
      'games.yaml: gameTypes[0].queues[1].id: duplicate queue id "q" (already used by queues[0]) (line 8)',
    ]);
  });

  it("parseQueue throws a ConfigError listing every problem", () => {
    const err = configError(() => parseQueue({ id: "x", teams: { count: 2, size: 1 }, maxWaitMs: 10, rating: { expansion: { kind: "steps", steps: [] } } }));
    expect(err.problems.map((p) => p.path)).toEqual(["rating.expansion.steps", "maxWaitMs"]);
  });
});
