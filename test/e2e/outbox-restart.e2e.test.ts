import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiProcess } from "../support/api-process.js";
import { apiClient } from "../support/api-client.js";
import { codeOf, tokenFor, waitFor } from "../support/app.js";
import { type FakeGameServer, startFakeGameServer } from "../support/fake-game-server.js";
import { randomPrefix, type RedisServer, startRedisServer } from "../support/redis-server.js";
import { serverCatalogYaml } from "../support/server-catalog.js";

/**
 * A game the game server could not create must be removed there again, even when the API
 * process that gave up on it dies right after: the compensating remove_game is kept in the
 * store, and whichever worker runs sends it once the server answers again.
 */
describe("remove_game after a failed creation survives the API process", () => {
  let redisServer: RedisServer;
  let gameServer: FakeGameServer;
  let catalogFile: string;
  beforeAll(async () => {
    [redisServer, gameServer] = await Promise.all([startRedisServer(), startFakeGameServer()]);
    catalogFile = join(mkdtempSync(join(tmpdir(), "mm-outbox-")), "catalog.yaml");
    writeFileSync(catalogFile, serverCatalogYaml(gameServer.url));
  });
  afterAll(async () => {
    await Promise.all([redisServer?.stop(), gameServer?.close()]);
  });

  it("answers at once, and a worker started after the API was killed still sends remove_game", async () => {
    const prefix = randomPrefix();
    const env = { NODE_ENV: "production", MATCHMAKER_GAME_TYPES: catalogFile, GAME_SERVER_TIMEOUT_MS: "300", SWEEP_INTERVAL_MS: "100" };
    const api = await startApiProcess(redisServer.url, prefix, "api", env);
    // A game server that takes calls and answers none of them.
    for (const path of ["/create_game", "/remove_game"]) gameServer.delay(path, 60_000);
    const started = Date.now();
    const r = await apiClient(api.url).createGame({ input: { gameType: "duel" } }, await tokenFor("alice"));
    expect(codeOf(r)).toBe("GAME_SERVER_UNAVAILABLE");
    expect(Date.now() - started).toBeLessThan(300 + 700);
    const gameId = (gameServer.requestsTo("/create_game")[0]!.body as { gameId: string }).gameId;
    api.child.kill("SIGKILL");
    await new Promise((resolve) => api.child.once("exit", resolve));

    gameServer.reset(); // the server answers again
    const worker = await startApiProcess(redisServer.url, prefix, "worker", env);
    try {
      await waitFor(
        () => gameServer.requestsTo("/remove_game").some((q) => (q.body as { gameId: string }).gameId === gameId),
        "remove_game from the outbox",
        15_000,
      );
    } finally {
      await worker.stop();
    }
  }, 40_000);
});
