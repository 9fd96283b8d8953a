import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createSettingsValidator, loadCatalog, parseCatalog } from "../../src/config/catalog.js";
import { configError } from "../support/throws.js";
import { ErrorCode, MatchmakerError } from "../../src/domain/errors.js";
import { GameState } from "../../src/domain/game.js";

const SAMPLE = fileURLToPath(new URL("../../catalog/game-types.yaml", import.meta.url));

function badInputError(fn: () => unknown): MatchmakerError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MatchmakerError);
    expect((err as MatchmakerError).code).toBe(ErrorCode.BAD_USER_INPUT);
    return err as MatchmakerError;
  }
  throw new Error("expected BAD_USER_INPUT");
}

describe("the shipped sample catalog", () => {
  const catalog = loadCatalog(SAMPLE);

  it("offers tictactoe with its game server and the contract's default expiries", () => {
    const t = catalog.get("tictactoe")!;
    expect(t).toMatchObject({
      name: "Tic-tac-toe",
      minPlayers: 2,
      maxPlayers: 2,
      serverUrl: "http://localhost:5001",
      socketUrl: "localhost:5001",
      serverSecret: "tictactoe-example-secret",
      labels: {},
      regions: [],
      seatReservationSeconds: 30,
    });
    expect(t.stateTimeouts).toEqual({
      [GameState.CREATED]: 60,
      [GameState.OPEN]: 60,
      [GameState.FULL]: 600,
      [GameState.IN_PROGRESS]: 1200,
      [GameState.ENDED]: 300,
    });
  });

  it("offers party-quiz as a lobby-only type with filterable labels and regions", () => {
    const q = catalog.get("party-quiz")!;
    expect(q).toMatchObject({ minPlayers: 2, maxPlayers: 8, serverUrl: null, socketUrl: null });
    expect(q.labels).toEqual({ mode: "string", skill: "number" });
    expect(q.regions).toEqual(["eu", "us", "asia"]);
    // A partial override keeps the other defaults.
    expect(q.stateTimeouts[GameState.OPEN]).toBe(300);
    expect(q.stateTimeouts[GameState.IN_PROGRESS]).toBe(1200);
  });

  it("knows no other ids", () => {
    expect(catalog.get("chess")).toBeUndefined();
    expect(catalog.types.map((t) => t.id)).toEqual(["tictactoe", "party-quiz"]);
  });
});

describe("socket addresses", () => {
  const withSocket = (socketUrl: string) =>
    `gameTypes:\n  - id: rps\n    name: RPS\n    minPlayers: 2\n    maxPlayers: 2\n    serverUrl: http://rps.example.com:5000\n    socketUrl: "${socketUrl}"\n`;

  it("keeps the original catalog's form (host:port, no scheme) and full ws(s) URLs exactly as written", () => {
    for (const address of ["rps.example.com:8085", "rps.example.com:8085/play", "10.0.0.7:8085", "[::1]:8085", "localhost", "ws://rps.example.com:8085/ws", "wss://rps.example.com/ws"]) {
      expect(parseCatalog(withSocket(address), "c.yaml").get("rps")!.socketUrl).toBe(address);
    }
  });

  it("refuses other schemes and malformed addresses, naming both accepted forms", () => {
    for (const address of ["http://rps.example.com:8085", "rps.example.com:port", "rps example.com", ":8085", "ws://"]) {
      const err = configError(() => parseCatalog(withSocket(address), "c.yaml"));
      expect(err.format(), address).toMatch(/socketUrl.*host:port\[\/path\].*ws:\/\/ or wss:\/\//);
    }
  });
});

describe("a broken catalog", () => {
  const BROKEN = `gameTypes:
  - id: chess
    name: Chess
    minPlayers: 2
    maxPlayers: 2
  - id: Bad_Id
    name: Broken
    minPlayers: 4
    maxPlayers: 2
    maxPlayer: 3
    serverUrl: http://localhost:6000
    labels: { mode: text }
    stateTimeouts: { lobby: 30 }
  - id: chess
    name: Chess again
    minPlayers: 3
    maxPlayers: 2
    serverUrl: ftp://example.com
    socketUrl: ws://example.com/ws
`;

  it("reports every problem at once, each with file, path and line", () => {
    const err = configError(() => parseCatalog(BROKEN, "games.yaml"));
    const lines = err.format().split("\n");
    expect([...lines].sort()).toEqual([
      "games.yaml: gameTypes[1].id: must be 1-32 lowercase letters, digits or '-', starting with a letter or digit (line 6)",
      'games.yaml: gameTypes[1].labels.mode: must be one of "string", "number" (line 12)',
      "games.yaml: gameTypes[1].maxPlayer: unknown key (misspelt?) (line 10)",
      "games.yaml: gameTypes[1].maxPlayers: must be >= minPlayers (4) (line 9)",
      "games.yaml: gameTypes[1].socketUrl: is required when serverUrl is set (players need an address to connect to) (line 6)",
      "games.yaml: gameTypes[1].stateTimeouts.lobby: unknown key (misspelt?) (line 13)",
      'games.yaml: gameTypes[2].id: duplicate id "chess" (already used by gameTypes[0]) (line 14)',
      "games.yaml: gameTypes[2].maxPlayers: must be >= minPlayers (3) (line 17)",
      "games.yaml: gameTypes[2].serverUrl: must be an absolute http:// or https:// URL (line 18)",
    ]);
    // Every problem is on its own line; nothing from a stack trace leaks in.
    expect(lines).toHaveLength(err.problems.length);
    expect(err.format()).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it("reports cross-field problems alongside structural ones in other entries", () => {
    const text = `gameTypes:
  - id: chess
    name: Chess
    minPlayers: 4
    maxPlayers: 2
    serverUrl: http://localhost:6000
  - id: chess
    name: Chess again
    minPlayers: 2
    maxPlayers: 2
  - id: go
    minPlayers: 2
    maxPlayers: 2
`;
    const err = configError(() => parseCatalog(text, "games.yaml"));
    expect(err.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "gameTypes[0].maxPlayers: must be >= minPlayers (4)",
      "gameTypes[0].socketUrl: is required when serverUrl is set (players need an address to connect to)",
      'gameTypes[1].id: duplicate id "chess" (already used by gameTypes[0])',
      "gameTypes[2].name: is required",
    ]);
    expect(err.problems.every((p) => p.file === "games.yaml")).toBe(true);
  });

  it("rejects a settings schema whose defaults break it, or that misspells a keyword", () => {
    const text = `gameTypes:
  - id: a
    name: A
    minPlayers: 1
    maxPlayers: 2
    settings:
      type: object
      properties: { rounds: { type: integer, maximum: 10, default: 50 } }
  - id: b
    name: B
    minPlayers: 1
    maxPlayers: 2
    settings:
      type: object
      properties: { rounds: { type: integer, maximun: 10 } }
  - id: c
    name: C
    minPlayers: 1
    maxPlayers: 2
    settings: { type: array }
`;
    const lines = configError(() => parseCatalog(text, "games.yaml")).format().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/gameTypes\[0\]\.settings: defaults do not satisfy the schema: settings\.rounds must be <= 10/);
    expect(lines[1]).toMatch(/gameTypes\[1\]\.settings: is not a valid JSON Schema: .*maximun/);
    expect(lines[2]).toMatch(/gameTypes\[2\]\.settings: must be a JSON Schema with `type: object`/);
  });

  it("accepts required settings without defaults (players must supply them)", () => {
    const text = `gameTypes:
  - id: a
    name: A
    minPlayers: 1
    maxPlayers: 2
    settings: { type: object, required: [seed], properties: { seed: { type: string } } }
`;
    expect(parseCatalog(text, "x.yaml").get("a")).toBeDefined();
  });

  it("explains YAML syntax errors and missing files without a stack trace", () => {
    const syntax = configError(() => parseCatalog("gameTypes:\n  - id: [unclosed\n", "x.yaml"));
    expect(syntax.format()).toMatch(/^x\.yaml: \(top level\): invalid YAML: .+ \(line \d+\)$/);
    expect(configError(() => parseCatalog("", "x.yaml")).format()).toBe(
      "x.yaml: (top level): the catalog is empty; expected a `gameTypes:` list",
    );
    expect(configError(() => loadCatalog("/nonexistent/games.yaml")).format()).toBe(
      "/nonexistent/games.yaml: (top level): cannot read the game-type catalog: file not found",
    );
  });
});

describe("createSettingsValidator", () => {
  const catalog = loadCatalog(SAMPLE);
  const quiz = createSettingsValidator(catalog.get("party-quiz")!);

  it("fills in defaults and returns a new object", () => {
    expect(quiz(undefined)).toEqual({ rounds: 5, category: "general" });
    expect(quiz(null)).toEqual({ rounds: 5, category: "general" });
    const input = { rounds: 12 };
    expect(quiz(input)).toEqual({ rounds: 12, category: "general" });
    expect(input).toEqual({ rounds: 12 });
  });

  it("names every bad value in one BAD_USER_INPUT error", () => {
    const err = badInputError(() => quiz({ rounds: 50, category: "cooking" }));
    expect(err.message).toContain("settings.rounds must be <= 20");
    expect(err.message).toContain('settings.category must be one of "general", "science"');
    expect(err.details?.problems).toHaveLength(2);
  });

  it("rejects unknown settings and non-objects", () => {
    expect(badInputError(() => quiz({ rounds: 3, colour: "red" })).message).toContain('settings has unknown property "colour"');
    expect(badInputError(() => quiz([1, 2])).message).toContain("must be an object");
    const tictactoe = createSettingsValidator(catalog.get("tictactoe")!);
    expect(tictactoe({})).toEqual({ timePerMoveSeconds: 30 });
    expect(badInputError(() => tictactoe({ timePerMoveSeconds: 301 })).message).toContain(
      "settings.timePerMoveSeconds must be <= 300",
    );
  });

  it("treats a type without a settings schema as taking no settings", () => {
    const none = createSettingsValidator(parseCatalog("gameTypes: [{id: a, name: A, minPlayers: 1, maxPlayers: 1}]", "x").get("a")!);
    expect(none(undefined)).toEqual({});
    expect(badInputError(() => none({ x: 1 })).message).toContain('unknown property "x"');
  });
});
