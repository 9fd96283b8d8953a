import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { CLOSE, startTicTacToeServer, type TicTacToeServer } from "../../src/examples/tictactoe/server.js";
import type { EventSink } from "../../src/examples/tictactoe/sink.js";

/** The example game server on its own, as a matchmaker (and an attacker) reach it. */
describe("the example tictactoe game server", () => {
  const written: Record<string, string>[] = [];
  const sink: EventSink = { where: "memory", emit: async (f) => void written.push(f), close: async () => {} };
  let server: TicTacToeServer;
  const base = () => `http://127.0.0.1:${server.port}`;
  const post = (path: string, body: string) => fetch(`${base()}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body });

  beforeAll(async () => {
    server = await startTicTacToeServer({ port: 0, host: "127.0.0.1", sink, productId: "tictactoe", secret: null, removeAfterMs: 50 });
  });
  afterAll(() => server.close());

  it("refuses bodies that are not what the contract sends, and keeps serving", async () => {
    for (const body of ["null", "[]", "42", "{", JSON.stringify({ gameId: "g" }), JSON.stringify({ userId: "u" })]) {
      const res = await post("/create_game", body);
      expect(res.status, body).toBe(400);
      expect(((await res.json()) as { message: string }).message).toBeTruthy();
    }
    const ok = await post("/create_game", JSON.stringify({ gameId: "tictactoe_ok", userId: "alice", username: "Alice" }));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { gameToken: string }).gameToken).toMatch(/^[0-9a-f]{32}$/);
  });

  it("turns away every socket but the host's until the host is connected (close code 4000)", async () => {
    const { gameToken } = (await (await post("/create_game", JSON.stringify({ gameId: "tictactoe_g2", userId: "h", username: "H" }))).json()) as { gameToken: string };
    await post("/join_game", JSON.stringify({ gameId: "tictactoe_g2", userId: "p", username: "P" }));
    const early = new WebSocket(`ws://127.0.0.1:${server.port}/?game_token=${gameToken}&user_id=p`);
    const code = await new Promise<number>((resolve) => early.on("close", (c) => resolve(c)));
    expect(code).toBe(CLOSE.HOST_NOT_CONNECTED);
    expect(written.filter((e) => e.game_id === "tictactoe_g2")).toEqual([]);
  });
});
