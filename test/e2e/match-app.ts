import { afterAll, afterEach, beforeEach } from "vitest";
import type { MatchGameChangedSubscription } from "../generated/graphql.js";
import { subscribe, type TestApp, tokenFor, wsClient } from "../support/app.js";
import { apiClient, type ApiClient } from "../support/api-client.js";
import { matchCatalog, matchClient, type MatchClient } from "../support/match-client.js";
import { type Mode, watcherReady } from "./modes.js";
import { MATCH_GAME_CHANGED } from "./operations-matchmaking.js";

export interface MatchApp {
  t: TestApp;
  api: ApiClient;
  mm: MatchClient;
  alice: string;
  bob: string;
  carol: string;
  /** Subscribes to gameChanged(vars) and resolves once the watcher on `topic` is live. */
  watch(vars: { id?: string; gameType?: string }, topic: string): Promise<ReturnType<typeof subscribe<MatchGameChangedSubscription>>>;
}

/**
 * Registers the hooks of a matchmaking suite: a fresh API per test on the lobby-only
 * matchmaking catalog, tokens for alice, bob and carol, and subscriptions closed after
 * each test. Read the fields inside tests (they are replaced per test).
 */
export function useMatchApp(mode: Mode): MatchApp {
  const clients: ReturnType<typeof wsClient>[] = [];
  const h = {} as MatchApp;
  beforeEach(async () => {
    h.t = await mode.start({ catalog: matchCatalog() });
    h.api = apiClient(h.t.url);
    h.mm = matchClient(h.t.url);
    [h.alice, h.bob, h.carol] = await Promise.all(["alice", "bob", "carol"].map((s) => tokenFor(s)));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await h.t.close();
  });
  afterAll(() => mode.teardown());
  h.watch = async (vars, topic) => {
    const client = wsClient(h.t.wsUrl);
    clients.push(client);
    const before = h.t.app.backends.bus.localSubscribers(topic);
    const sub = subscribe<MatchGameChangedSubscription>(client, MATCH_GAME_CHANGED, vars);
    await watcherReady(h.t, topic, before, mode.redisUrl());
    return sub;
  };
  return h;
}
