import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { type TestApp, type TestAppOptions, tokenFor } from "../support/app.js";
import { apiClient, type ApiClient } from "../support/api-client.js";
import { type FakeGameServer, startFakeGameServer } from "../support/fake-game-server.js";
import { serverCatalog } from "../support/server-catalog.js";
import type { Mode } from "./modes.js";

export interface Hosted {
  server: FakeGameServer;
  t: TestApp;
  api: ApiClient;
  alice: string;
  bob: string;
}

/**
 * Registers the hooks of a suite that runs against a fake game server: one server per
 * file (reset per test), a fresh API per test on the server catalog, tokens for alice and
 * bob. Read the fields inside tests (they are replaced per test).
 */
export function useHostedApp(mode: Mode, opts: () => Omit<TestAppOptions, "catalog"> = () => ({})): Hosted {
  const h = {} as Hosted;
  beforeAll(async () => {
    h.server = await startFakeGameServer();
  });
  beforeEach(async () => {
    h.server.reset();
    h.t = await mode.start({ ...opts(), catalog: serverCatalog(h.server.url) });
    h.api = apiClient(h.t.url);
    [h.alice, h.bob] = await Promise.all([tokenFor("alice"), tokenFor("bob")]);
  });
  afterEach(() => h.t.close());
  afterAll(async () => {
    await h.server.close();
    await mode.teardown();
  });
  return h;
}
