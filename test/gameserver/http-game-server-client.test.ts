import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ErrorCode, MatchmakerError } from "../../src/domain/errors.js";
import { GameState } from "../../src/domain/game.js";
import { type GameTypeDef, HostLeaves } from "../../src/domain/game-type.js";
import { DEFAULT_QUICK_JOIN } from "../../src/config/catalog-matchmaking.js";
import type { GameServerClient } from "../../src/gameserver/game-server-client.js";
import { createHttpGameServerClient } from "../../src/gameserver/http-game-server-client.js";
import { type FakeGameServer, startFakeGameServer } from "../support/fake-game-server.js";

const TIMEOUT_MS = 200;

function gameType(serverUrl: string | null, serverSecret: string | null = null): GameTypeDef {
  return {
    id: "chess",
    name: "Chess",
    description: null,
    minPlayers: 2,
    maxPlayers: 2,
    serverUrl,
    socketUrl: "ws://127.0.0.1:1/socket",
    serverSecret,
    settingsSchema: { type: "object" },
    labels: {},
    stateTimeouts: {
      [GameState.CREATED]: 60,
      [GameState.OPEN]: 60,
      [GameState.FULL]: 600,
      [GameState.IN_PROGRESS]: 1_200,
      [GameState.ENDED]: 300,
    },
    seatReservationSeconds: 30,
    regions: [],
    hostLeaves: HostLeaves.CLOSE,
    quickJoin: { ...DEFAULT_QUICK_JOIN },
  };
}

/** The MatchmakerError that `promise` must reject with. */
async function failure(promise: Promise<unknown>): Promise<MatchmakerError> {
  const err = await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MatchmakerError);
  return err as MatchmakerError;
}

let fake: FakeGameServer;
let type: GameTypeDef;
let logs: Record<string, unknown>[];
let client: GameServerClient;

beforeAll(async () => {
  fake = await startFakeGameServer();
});
afterAll(() => fake.close());
beforeEach(async () => {
  await fake.start(); // a test may have stopped it
  fake.reset();
  type = gameType(fake.url);
  logs = [];
  const logger = pino({ level: "warn" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  client = createHttpGameServerClient({ timeoutMs: TIMEOUT_MS, retries: 2, retryDelayMs: 5, logger });
});

describe("HTTP game server client: success", () => {
  it("creates a game with the contract's exact body and returns the server's token", async () => {
    const { gameToken } = await client.createGame(type, "g1", "u1", "Ann");

    expect(gameToken).toMatch(/^[0-9a-f]{32}$/);
    expect(gameToken).toBe(fake.games.get("g1")?.gameToken);
    const [req] = fake.requestsTo("/create_game");
    expect(req!.method).toBe("POST");
    expect(req!.rawBody).toBe('{"gameId":"g1","userId":"u1","username":"Ann"}');
    expect(req!.headers["content-type"]).toBe("application/json");
    expect(req!.headers.authorization).toBeUndefined();
  });

  it("sends exact bodies for join_game, remove_player and remove_game", async () => {
    await client.createGame(type, "g1", "u1", "Ann");
    await client.joinGame(type, "g1", "u2", "Bob");
    expect([...fake.games.get("g1")!.players.keys()]).toEqual(["u1", "u2"]);
    await client.removePlayer(type, "g1", "u2");
    expect([...fake.games.get("g1")!.players.keys()]).toEqual(["u1"]);
    await client.removeGame(type, "g1");
    expect(fake.games.has("g1")).toBe(false);

    expect(fake.requests.map((r) => [r.path, r.rawBody])).toEqual([
      ["/create_game", '{"gameId":"g1","userId":"u1","username":"Ann"}'],
      ["/join_game", '{"gameId":"g1","userId":"u2","username":"Bob"}'],
      ["/remove_player", '{"gameId":"g1","userId":"u2"}'],
      ["/remove_game", '{"gameId":"g1"}'],
    ]);
    expect(logs).toEqual([]);
  });

  it("sends the type's secret as a Bearer token on every call, only when one is set", async () => {
    const secured = gameType(`${fake.url}/`, "s3cret"); // a trailing slash must not double up
    await client.createGame(secured, "g1", "u1", "Ann");
    await client.joinGame(secured, "g1", "u2", "Bob");
    await client.removePlayer(secured, "g1", "u2");
    await client.removeGame(secured, "g1");
    await client.createGame(type, "g2", "u1", "Ann");

    const seen = fake.requests.map((r) => [r.path, r.headers.authorization]);
    expect(seen).toEqual([
      ["/create_game", "Bearer s3cret"],
      ["/join_game", "Bearer s3cret"],
      ["/remove_player", "Bearer s3cret"],
      ["/remove_game", "Bearer s3cret"],
      ["/create_game", undefined],
    ]);
  });

  it("treats 404 on remove_player and remove_game as already done, without retrying", async () => {
    await client.removePlayer(type, "nope", "u9"); // the fake's own 404 "player not in game"
    fake.fail("/remove_game", { status: 404, message: "game not found" });
    await client.removeGame(type, "nope");
    expect(fake.requests).toHaveLength(2);
  });

  it("tells whether a type has a game server", () => {
    expect(client.hasServer(type)).toBe(true);
    expect(client.hasServer(gameType(null))).toBe(false);
  });
});

describe("HTTP game server client: refusals (4xx)", () => {
  it("surfaces the server's message as GAME_SERVER_REJECTED", async () => {
    const err = await failure(client.joinGame(type, "unknown", "u2", "Bob"));

    expect(err.code).toBe(ErrorCode.GAME_SERVER_REJECTED);
    expect(err.message).toBe("The game server for Chess refused: game not found");
    expect(err.details).toEqual({ status: 400, serverMessage: "game not found" });
    expect(logs).toMatchObject([{ level: 40, gameType: "chess", call: "join_game", reason: expect.stringContaining("game not found") }]);
  });

  it("does not retry a refused remove_player", async () => {
    fake.fail("/remove_player", { status: 403, message: "not allowed" });
    const err = await failure(client.removePlayer(type, "g1", "u2"));
    expect(err.code).toBe(ErrorCode.GAME_SERVER_REJECTED);
    expect(err.details).toEqual({ status: 403, serverMessage: "not allowed" });
    expect(fake.requestsTo("/remove_player")).toHaveLength(1);
  });

  it("falls back to the status text when a 4xx answer has no JSON message", async () => {
    fake.fail("/create_game", { status: 413, body: "<html>too big</html>" });
    const err = await failure(client.createGame(type, "g1", "u1", "Ann"));
    expect(err.code).toBe(ErrorCode.GAME_SERVER_REJECTED);
    expect(err.details).toEqual({ status: 413, serverMessage: "Payload Too Large" });
  });
});

describe("HTTP game server client: unavailable", () => {
  it("maps 500 to GAME_SERVER_UNAVAILABLE and never retries create_game or join_game", async () => {
    fake.fail("/create_game", { status: 500, message: "db down" });
    fake.fail("/join_game", { status: 503, message: "overloaded" });

    const err = await failure(client.createGame(type, "g1", "u1", "Ann"));
    expect(err.code).toBe(ErrorCode.GAME_SERVER_UNAVAILABLE);
    expect(err.message).toBe("The game server for Chess is unavailable (HTTP 500: db down); try again shortly.");
    expect((await failure(client.joinGame(type, "g1", "u2", "Bob"))).code).toBe(ErrorCode.GAME_SERVER_UNAVAILABLE);

    expect(fake.requestsTo("/create_game")).toHaveLength(1);
    expect(fake.requestsTo("/join_game")).toHaveLength(1);
    expect(logs).toMatchObject([
      { level: 40, gameType: "chess", call: "create_game", reason: "HTTP 500: db down" },
      { level: 40, gameType: "chess", call: "join_game", reason: "HTTP 503: overloaded" },
    ]);
  });

  it("gives up after timeoutMs with an actionable message, and sends create_game once", async () => {
    fake.delay("/create_game", TIMEOUT_MS * 3);
    const started = Date.now();
    const err = await failure(client.createGame(type, "g1", "u1", "Ann"));

    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 3);
    expect(err.code).toBe(ErrorCode.GAME_SERVER_UNAVAILABLE);
    expect(err.message).toBe(`The game server for Chess is unavailable (timeout after ${TIMEOUT_MS} ms); try again shortly.`);
    expect(fake.requestsTo("/create_game")).toHaveLength(1);
  });

  it("reports a refused connection when the server is down", async () => {
    await fake.stop();
    const err = await failure(client.createGame(type, "g1", "u1", "Ann"));
    expect(err.code).toBe(ErrorCode.GAME_SERVER_UNAVAILABLE);
    expect(err.details).toMatchObject({ reason: "connection refused" });
  });

  it("reports a reset connection", async () => {
    fake.hangUp("/join_game");
    const err = await failure(client.joinGame(type, "g1", "u2", "Bob"));
    expect(err.code).toBe(ErrorCode.GAME_SERVER_UNAVAILABLE);
    expect(err.details).toMatchObject({ reason: "connection reset" });
  });

  it("rejects a create_game answer without a usable gameToken", async () => {
    fake.fail("/create_game", { status: 200, body: '{"gameToken":""}', times: 1 });
    fake.fail("/create_game", { status: 200, body: "OK", times: 1 });

    const empty = await failure(client.createGame(type, "g1", "u1", "Ann"));
    expect(empty.code).toBe(ErrorCode.GAME_SERVER_UNAVAILABLE);
    expect(empty.message).toContain("answered without a gameToken");
    const notJson = await failure(client.createGame(type, "g2", "u1", "Ann"));
    expect(notJson.code).toBe(ErrorCode.GAME_SERVER_UNAVAILABLE);
    expect(notJson.message).toContain("not JSON");
    expect(logs).toHaveLength(2);
  });
});

describe("HTTP game server client: retries of idempotent calls", () => {
  it("retries remove_player after a 500 and succeeds", async () => {
    await client.createGame(type, "g1", "u1", "Ann");
    await client.joinGame(type, "g1", "u2", "Bob");
    fake.fail("/remove_player", { status: 500, message: "try later", times: 1 });

    await client.removePlayer(type, "g1", "u2");

    expect(fake.requestsTo("/remove_player")).toHaveLength(2);
    expect([...fake.games.get("g1")!.players.keys()]).toEqual(["u1"]);
    expect(logs).toMatchObject([{ call: "remove_player", reason: "HTTP 500: try later", attempt: 1, willRetry: true }]);
  });

  it("retries remove_game after a timeout, then gives up after 1 + retries attempts", async () => {
    fake.delay("/remove_game", TIMEOUT_MS * 2, 1);
    fake.fail("/remove_game", { status: 502, message: "bad gateway" });

    const err = await failure(client.removeGame(type, "g1"));

    expect(err.code).toBe(ErrorCode.GAME_SERVER_UNAVAILABLE);
    expect(fake.requestsTo("/remove_game")).toHaveLength(3);
    expect(logs.map((l) => [l.reason, l.willRetry])).toEqual([
      [`timeout after ${TIMEOUT_MS} ms`, true],
      ["HTTP 502: bad gateway", true],
      ["HTTP 502: bad gateway", false],
    ]);
  });

  it("retries remove_game while the server is down and succeeds once it is back", async () => {
    const slow = createHttpGameServerClient({ timeoutMs: TIMEOUT_MS, retries: 3, retryDelayMs: 100, logger: pino({ level: "silent" }) });
    await client.createGame(type, "g1", "u1", "Ann");
    await fake.stop();
    const removing = slow.removeGame(type, "g1");
    setTimeout(() => void fake.start(), 150); // between the 2nd (after 100 ms) and 3rd (after 300 ms) attempt

    await removing;
    expect(fake.games.has("g1")).toBe(false);
  });
});
