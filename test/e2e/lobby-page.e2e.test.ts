/**
 * The lobby page and GraphiQL the API serves (web/, built into dist/web/ by `npm run build`),
 * in headless Chromium against a real API: the page loads without a console error, follows
 * gameChanged live, and a player acts from it with a pasted token; GraphiQL runs a query and a
 * subscription with every request outside localhost blocked (nothing comes from a CDN).
 * Screenshots go to test-results/screenshots/.
 */
import { existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import express from "express";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WEB_DIR, webUiRouter } from "../../src/http/web-ui.js";
import { createLogger } from "../../src/logger.js";
import { gql, gqlOk, startTestApp, type TestApp, tokenFor, waitFor } from "../support/app.js";
import { type ApiProcess, startApiProcess } from "../support/api-process.js";
import { launchChromium } from "../support/headless-chromium.js";
import { randomPrefix, type RedisServer, startRedisServer } from "../support/redis-server.js";
import { bothModes, watcherReady } from "./modes.js";

const SCREENSHOTS = fileURLToPath(new URL("../../test-results/screenshots/", import.meta.url));
/** How soon a change must show in a page that watches it. */
const LIVE_MS = 1_000;

const CREATE = "mutation ($input: CreateGameInput!) { createGame(input: $input) { id version } }";
const GAME = "query ($id: ID!) { game(id: $id) { id version players { id } labels region } }";

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(join(WEB_DIR, "index.html"))) throw new Error(`${WEB_DIR}index.html is missing: run \`npm run build\` first (npm test does)`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

interface OpenPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions of the page. */
  problems: string[];
}

const contexts: BrowserContext[] = [];

/** A page in its own browser context (its own localStorage: one player per context). */
async function newPage(): Promise<OpenPage> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
  contexts.push(context);
  const page = await context.newPage();
  // Well inside the test's own timeout, so a wait that fails names itself.
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  return { page, context, problems };
}

async function closeContexts(): Promise<void> {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
}

/** Pastes a token into the page's token box, as a player would. */
async function pasteToken(page: Page, token: string, name: string): Promise<void> {
  if (!(await page.getByTestId("token-input").isVisible())) await page.getByTestId("token-toggle").click();
  await page.getByTestId("token-input").fill(token);
  await page.getByTestId("token-save").click();
  await expect.poll(() => page.getByTestId("token-name").textContent()).toBe(name);
}

const baseOf = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, "");

describe.each(bothModes())("the lobby page ($name)", (mode) => {
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    t = await mode.start();
    base = baseOf(t.url);
  });
  afterEach(async () => {
    await closeContexts();
    // Every page's subscriptions gone, so the next test counts its own watchers.
    await waitFor(() => t.app.backends.bus.localSubscribers(t.app.backends.bus.topics.gameType("party-quiz")) === 0, "the closed pages' watchers to go");
  });
  afterAll(async () => {
    await t?.close();
    await mode.teardown();
  });

  const topic = () => t.app.backends.bus.topics.gameType("party-quiz");

  /**
   * Opens the party-quiz lobby and resolves once it is live: its list loaded, its socket
   * connected and — what the server can tell — its gameChanged watcher in place. With a player,
   * the token is pasted then (the page reconnects with it; its watcher is not awaited: pages
   * whose live view a test times are opened anonymously, before any page changes its token).
   */
  async function openLobby(player?: { token: string; name: string }): Promise<OpenPage> {
    const p = await newPage();
    const watchersBefore = t.app.backends.bus.localSubscribers(topic());
    await p.page.goto(`${base}/#/party-quiz`);
    await p.page.getByTestId("game-count").waitFor();
    await p.page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
    if (player) {
      await pasteToken(p.page, player.token, player.name);
      await p.page.getByTestId("game-count").waitFor();
    } else {
      await watcherReady(t, topic(), watchersBefore, mode.redisUrl());
    }
    return p;
  }

  it("loads without a console error and shows a game created through the API within a second, live", async () => {
    const alice = await tokenFor("alice");
    const p = await newPage();
    // watchLobby loads the list, and once more a second later: the game below must come by gameChanged.
    let snapshots = 0;
    p.page.on("requestfinished", (r) => {
      const body = r.postData() ?? "";
      if (r.url().endsWith("/graphql") && body.includes("query Games") && body.includes('"gameType":"party-quiz"')) snapshots++;
    });
    await p.page.goto(`${base}/`);
    await expect.poll(() => p.page.getByRole("tab", { selected: true }).textContent()).toBe("Tic-tac-toe");
    await p.page.getByTestId("tab-party-quiz").click();
    expect(p.page.url()).toMatch(/#\/party-quiz$/);
    await p.page.getByTestId("game-count").waitFor();
    await p.page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
    await watcherReady(t, topic(), 0, mode.redisUrl());
    await waitFor(() => snapshots >= 2, "the lobby's follow-up snapshot");

    const started = Date.now();
    const { createGame: g } = await gqlOk<{ createGame: { id: string } }>(
      t.url,
      CREATE,
      { input: { gameType: "party-quiz", region: "eu", capacity: 6, labels: { mode: "casual", skill: 1200 } } },
      alice,
    );
    const row = p.page.getByTestId(`game-${g.id}`);
    await row.waitFor({ timeout: LIVE_MS });
    const shownAfter = Date.now() - started;
    expect(shownAfter).toBeLessThan(LIVE_MS);
    expect(snapshots, "shown by gameChanged, not by another snapshot").toBe(2);
    await expect.poll(() => row.getByTestId("seats-count").textContent()).toBe("1/6 seats · 5 free");
    expect(await row.getByTestId("state").textContent()).toBe("open");
    expect(await row.getByTestId("region").textContent()).toBe("eu");
    expect(await row.getByTestId("label-mode").textContent()).toBe("mode=casual");
    expect(await row.getByTestId("label-skill").textContent()).toBe("skill=1200");
    expect(await row.getAttribute("data-version")).toBe("1");
    expect(await row.getByTestId("seat").allTextContents()).toEqual([expect.stringContaining("Alice")]);
    // The list is announced to screen readers as it changes.
    expect(await p.page.getByTestId("game-list").getAttribute("aria-live")).toBe("polite");

    await p.page.screenshot({ path: join(SCREENSHOTS, `lobby-list-${mode.name}.png`), fullPage: true });
    expect(p.problems).toEqual([]);
    console.info(`[${mode.name}] created through the API → shown in the page: ${shownAfter} ms`);
  });

  it("shows the type's ticket queues, how many search in each, what ended lately and why tickets wait, refreshed within a few seconds", async () => {
    const p = await openLobby();
    const duos = p.page.getByTestId("queue-duos");
    await duos.waitFor();
    expect(await p.page.getByTestId("queue-ranked-1v1").locator("td").allTextContents()).toEqual(["ranked-1v1", "2 × 1", "0", "—", "—", "0 / 0 / 0", "—"]);
    expect(await duos.getByTestId("queue-waiting").textContent()).toBe("0");
    const bea = await tokenFor("bea");
    const { enqueueMatchTicket: ticket } = await gqlOk<{ enqueueMatchTicket: { id: string } }>(
      t.url,
      "mutation { enqueueMatchTicket(input: { gameType: \"party-quiz\", queue: \"duos\", rating: 1500 }) { id } }",
      {},
      bea,
    );
    await expect.poll(() => duos.getByTestId("queue-waiting").textContent(), { timeout: 8_000 }).toBe("1");
    // A matcher's tick (as a worker runs it): one player cannot fill 2 × 2, and the page says so.
    await t.app.service.queueMatchers().find((m) => m.queueId === "duos")!.runTick();
    await expect.poll(() => duos.getByTestId("queue-why").textContent(), { timeout: 8_000 }).toBe("pool_too_small 1");
    await gqlOk(t.url, "mutation($id: ID!) { cancelMatchTicket(id: $id) { cancelled } }", { id: ticket.id }, bea);
    await expect.poll(() => duos.getByTestId("queue-waiting").textContent(), { timeout: 8_000 }).toBe("0");
    expect(await duos.getByTestId("queue-recent").textContent()).toBe("0 / 0 / 1");
    expect(p.problems).toEqual([]);
  });

  it("a Join clicked in one page is seen in another page within a second; Leave frees the seat again", async () => {
    const bob = await tokenFor("bob");
    const carol = await tokenFor("carol");
    const { createGame: g } = await gqlOk<{ createGame: { id: string } }>(t.url, CREATE, { input: { gameType: "party-quiz", region: "us", capacity: 4 } }, bob);
    const b = await openLobby();
    const a = await openLobby({ token: carol, name: "Carol" });
    await a.page.getByTestId(`join-${g.id}`).waitFor();
    const rowB = b.page.getByTestId(`game-${g.id}`);
    await rowB.waitFor();
    expect(await rowB.getByTestId("seats-count").textContent()).toBe("1/4 seats · 3 free");

    const clicked = Date.now();
    await a.page.getByTestId(`join-${g.id}`).click();
    await rowB.locator('[data-testid="seat"][data-player="carol"]').waitFor({ timeout: LIVE_MS });
    const seenAfter = Date.now() - clicked;
    expect(seenAfter).toBeLessThan(LIVE_MS);
    expect(await rowB.getByTestId("seats-count").textContent()).toBe("2/4 seats · 2 free");
    expect(await rowB.getByTestId("seat").allTextContents()).toEqual([expect.stringContaining("Bob"), expect.stringContaining("Carol")]);

    // Page A shows the game it joined: seats with when each was taken, its settings and version.
    const detail = a.page.locator(`[data-testid="game-detail"][data-game-id="${g.id}"]`);
    await detail.locator('[data-testid="detail-seat"][data-player="carol"]').waitFor();
    expect(await detail.locator('[data-testid="detail-seat"] time').count()).toBe(2);
    expect(await detail.getByTestId("detail-version").textContent()).toBe("2");
    expect(JSON.parse((await detail.getByTestId("detail-settings").textContent())!)).toEqual({ rounds: 5, category: "general" });
    expect(await detail.getByTestId("detail-expires").locator("time").count()).toBe(1);
    expect(await a.page.getByTestId("notice").textContent()).toMatch(/You joined game/);
    await a.page.screenshot({ path: join(SCREENSHOTS, `game-detail-${mode.name}.png`), fullPage: true });

    const left = Date.now();
    await detail.getByTestId(`detail-leave-${g.id}`).click();
    await rowB.locator('[data-testid="seat"][data-player="carol"]').waitFor({ state: "detached", timeout: LIVE_MS });
    expect(Date.now() - left).toBeLessThan(LIVE_MS);
    await expect.poll(() => rowB.getByTestId("seats-count").textContent()).toBe("1/4 seats · 3 free");
    await a.page.getByTestId(`detail-join-${g.id}`).waitFor();

    expect(a.problems).toEqual([]);
    expect(b.problems).toEqual([]);
    console.info(`[${mode.name}] Join clicked in page A → seen in page B: ${seenAfter} ms`);
  });

  it("Quick join with the page's filter takes the matching game, or creates one that matches; Leave from the page", async () => {
    const erin = await tokenFor("erin");
    const dave = await tokenFor("dave");
    const modeLabel = `qj-${randomPrefix()}`;
    const { createGame: g } = await gqlOk<{ createGame: { id: string } }>(
      t.url,
      CREATE,
      { input: { gameType: "party-quiz", region: "asia", capacity: 3, labels: { mode: modeLabel, skill: 1500 } } },
      erin,
    );
    const p = await openLobby({ token: dave, name: "Dave" });

    // The filter panel narrows the list (re-subscribing) to the one game.
    await p.page.getByTestId("filter-region-asia").check();
    await p.page.getByTestId("filter-label-mode-eq").fill(modeLabel);
    await p.page.getByTestId("filter-label-skill-gte").fill("1400");
    await p.page.getByTestId("filter-label-skill-lte").fill("1600");
    await p.page.getByTestId("filter-apply").click();
    await expect.poll(() => p.page.getByTestId("game-count").textContent()).toBe("1 game");
    await p.page.getByTestId(`game-${g.id}`).waitFor();

    await p.page.getByTestId("quick-join").click();
    const detail = p.page.locator(`[data-testid="game-detail"][data-game-id="${g.id}"]`);
    await detail.locator('[data-testid="detail-seat"][data-player="dave"]').waitFor();
    const joined = await gqlOk<{ game: { players: { id: string }[] } }>(t.url, GAME, { id: g.id });
    expect(joined.game.players.map((x) => x.id)).toEqual(["erin", "dave"]);

    await detail.getByTestId(`detail-leave-${g.id}`).click();
    await detail.locator('[data-testid="detail-seat"][data-player="dave"]').waitFor({ state: "detached" });
    const after = await gqlOk<{ game: { players: { id: string }[] } }>(t.url, GAME, { id: g.id });
    expect(after.game.players.map((x) => x.id)).toEqual(["erin"]);

    // Nothing matches a new label value: quickJoin creates a game with it, Dave as its host.
    const fresh = `${modeLabel}-new`;
    await p.page.getByTestId("filter-label-mode-eq").fill(fresh);
    await p.page.getByTestId("filter-apply").click();
    await expect.poll(() => p.page.getByTestId("game-count").textContent()).toBe("No game matches.");
    await p.page.getByTestId("quick-join").click();
    const created = p.page.locator('[data-testid="game-detail"]:not([data-game-id="' + g.id + '"])');
    await created.locator('[data-testid="detail-seat"][data-player="dave"]').waitFor();
    const createdId = (await created.getAttribute("data-game-id"))!;
    const made = await gqlOk<{ game: { labels: Record<string, unknown>; region: string } }>(t.url, GAME, { id: createdId });
    expect(made.game.region).toBe("asia");
    expect(made.game.labels).toMatchObject({ mode: fresh });
    // The list, filtered on that label, shows it too.
    await p.page.getByTestId(`game-${createdId}`).waitFor();

    // The host leaving closes the game.
    await created.getByTestId(`detail-leave-${createdId}`).click();
    await p.page.getByTestId("detail-gone").waitFor();
    await p.page.getByTestId(`game-${createdId}`).waitFor({ state: "detached" });
    expect((await gqlOk<{ game: null }>(t.url, GAME, { id: createdId })).game).toBeNull();
    expect(p.problems).toEqual([]);
  });

  it("creates a game from the page, and shows a refusal with its extensions.code and message", async () => {
    const frank = await tokenFor("frank");
    const p = await openLobby({ token: frank, name: "Frank" });

    await p.page.getByTestId("create-open").click();
    await p.page.getByTestId("create-region").selectOption("eu");
    await p.page.getByTestId("create-settings").fill('{ "rounds": 99 }');
    await p.page.getByTestId("create-submit").click();
    const error = p.page.getByTestId("error");
    await error.waitFor();
    expect(await error.getByTestId("error-code").textContent()).toBe("BAD_USER_INPUT");
    expect(await error.getByTestId("error-message").textContent()).toMatch(/rounds/);

    await p.page.getByTestId("create-settings").fill('{ "rounds": 3 }');
    await p.page.getByTestId("create-label-mode").fill("ranked");
    await p.page.getByTestId("create-submit").click();
    const detail = p.page.getByTestId("game-detail");
    await detail.locator('[data-testid="detail-seat"][data-player="frank"]').waitFor();
    const id = (await detail.getAttribute("data-game-id"))!;
    expect(await p.page.getByTestId("error").count()).toBe(0);
    await p.page.getByTestId(`game-${id}`).waitFor();
    expect(JSON.parse((await detail.getByTestId("detail-settings").textContent())!)).toEqual({ rounds: 3, category: "general" });

    // The creator may delete it; the list drops it at once.
    await detail.getByTestId(`detail-delete-${id}`).click();
    await p.page.getByTestId("detail-gone").waitFor();
    await p.page.getByTestId(`game-${id}`).waitFor({ state: "detached" });
    expect(p.problems).toEqual([]);
  });

  it("GraphiQL runs a query and a subscription offline: nothing is requested outside localhost", async () => {
    const p = await newPage();
    const outside: string[] = [];
    await p.context.route("**/*", (route) => {
      const host = new URL(route.request().url()).hostname;
      if (host === "127.0.0.1" || host === "localhost") return route.continue();
      outside.push(route.request().url());
      return route.abort();
    });
    const introspected = p.page.waitForResponse((r) => r.url().endsWith("/graphql") && (r.request().postData() ?? "").includes("IntrospectionQuery"));
    await p.page.goto(`${base}/graphql`); // a browser opening the endpoint is sent to GraphiQL
    expect(new URL(p.page.url()).pathname).toBe("/graphiql");
    expect((await introspected).status()).toBe(200);
    await p.page.locator(".graphiql-query-editor .CodeMirror").waitFor();

    // GraphiQL's editors are CodeMirror 5 instances, reachable from their wrapper element.
    type Doc = { document: { querySelector(s: string): { CodeMirror: { getValue(): string; setValue(v: string): void } } | null } };
    const run = async (query: string) => {
      await p.page.evaluate((q) => (globalThis as unknown as Doc).document.querySelector(".graphiql-query-editor .CodeMirror")!.CodeMirror.setValue(q), query);
      await p.page.locator(".graphiql-execute-button").click();
    };
    const result = () => p.page.evaluate(() => (globalThis as unknown as Doc).document.querySelector(".result-window .CodeMirror")?.CodeMirror.getValue() ?? "");

    await run("{ gameTypes { id } }");
    await expect.poll(result).toContain("party-quiz");
    expect(JSON.parse(await result())).toEqual({ data: { gameTypes: [{ id: "tictactoe" }, { id: "party-quiz" }] } });
    await p.page.screenshot({ path: join(SCREENSHOTS, `graphiql-${mode.name}.png`) });

    // A subscription goes over graphql-ws (the wsClient given to createGraphiQLFetcher).
    const before = t.app.backends.bus.localSubscribers(topic());
    await run('subscription { gameChanged(gameType: "party-quiz") { kind gameId version } }');
    await watcherReady(t, topic(), before, mode.redisUrl());
    const { createGame: g } = await gqlOk<{ createGame: { id: string } }>(t.url, CREATE, { input: { gameType: "party-quiz" } }, await tokenFor("gina"));
    await expect.poll(result).toContain(g.id);
    expect(JSON.parse(await result())).toEqual({ data: { gameChanged: { kind: "CREATED", gameId: g.id, version: 1 } } });
    await p.page.locator(".graphiql-execute-button").click(); // stops it

    expect(outside).toEqual([]);
    expect(p.problems).toEqual([]);
  });
});

describe("the pages' switches and a missing bundle", () => {
  let redis: RedisServer;
  let prod: ApiProcess | null = null;
  const apps: TestApp[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterEach(async () => {
    await closeContexts();
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });
  afterAll(async () => {
    await prod?.stop();
    await redis?.stop();
  });

  it("in production (NODE_ENV=production process) GraphiQL is off by default and / still serves a working lobby page", async () => {
    prod = await startApiProcess(redis.url, randomPrefix(), "api", { NODE_ENV: "production" });
    const base = baseOf(prod.url);

    const graphiql = await fetch(`${base}/graphiql`);
    expect(graphiql.status).toBe(404);
    expect(await graphiql.text()).toMatch(/GraphiQL is off.*GRAPHIQL=on/);
    const browserGet = await fetch(prod.url, { headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" }, redirect: "manual" });
    expect(browserGet.status).toBe(400);
    expect(await browserGet.text()).toMatch(/GraphQL endpoint.*\n.*GRAPHIQL=on/);
    expect(await (await fetch(`${base}/web-config.json`)).json()).toEqual({ graphqlPath: "/graphql", lobby: true, graphiql: false });
    // GET queries still work (urql's default), and introspection stays off in production.
    const q = await fetch(`${prod.url}?query=${encodeURIComponent("{ gameTypes { id } }")}`);
    expect(((await q.json()) as { data: { gameTypes: unknown[] } }).data.gameTypes).toHaveLength(2);
    const introspection = await gql<{ __schema: unknown }>(prod.url, "{ __schema { queryType { name } } }");
    expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);

    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(index.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
    const html = await index.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    expect((await fetch(`${base}${asset}`)).headers.get("cache-control")).toBe("public, max-age=31536000, immutable");

    // The page, served by the API itself, may open its socket though no CORS_ORIGINS are set.
    const p = await newPage();
    await p.page.goto(`${base}/#/party-quiz`);
    await p.page.getByTestId("game-count").waitFor();
    await p.page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
    await pasteToken(p.page, await tokenFor("hana"), "Hana");
    await p.page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
    await p.page.getByTestId("quick-join").click();
    await p.page.locator('[data-testid="detail-seat"][data-player="hana"]').waitFor();
    expect(await p.page.getByTestId("graphiql-link").count()).toBe(0);
    await p.page.screenshot({ path: join(SCREENSHOTS, "lobby-production.png"), fullPage: true });
    expect(p.problems).toEqual([]);
  });

  it("GRAPHIQL=on turns GraphiQL and introspection on in production; WEB_UI=off turns the lobby page off", async () => {
    const on = await startTestApp({ env: { NODE_ENV: "production", GRAPHIQL: "on", WEB_UI: "off" } });
    apps.push(on);
    const base = baseOf(on.url);
    expect((await fetch(`${base}/graphiql`)).status).toBe(200);
    const browserGet = await fetch(on.url, { headers: { accept: "text/html" }, redirect: "manual" });
    expect([browserGet.status, browserGet.headers.get("location")]).toEqual([302, "/graphiql"]);
    const introspection = await gqlOk<{ __schema: { queryType: { name: string } } }>(on.url, "{ __schema { queryType { name } } }");
    expect(introspection.__schema.queryType.name).toBe("Query");
    const lobby = await fetch(`${base}/`);
    expect(lobby.status).toBe(404);
    expect(await lobby.text()).toMatch(/WEB_UI=off/);
    // A non-browser GET without a query is still GraphQL's to answer.
    expect((await fetch(on.url, { headers: { accept: "application/json" } })).headers.get("content-type")).toMatch(/json/);
  });

  it("answers 503 with what to run when the bundle was never built, and keeps serving", async () => {
    const app = express();
    app.use(webUiRouter({ lobby: true, graphiql: true, dir: join(SCREENSHOTS, "no-such-bundle"), graphqlPath: "/graphql", logger: createLogger("silent") }));
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      for (const path of ["/", "/graphiql"]) {
        const r = await fetch(`${base}${path}`);
        expect(r.status, path).toBe(503);
        expect(await r.text()).toMatch(/not built.*npm run build/);
      }
      expect((await fetch(`${base}/assets/index.js`)).status).toBe(404);
      expect((await fetch(`${base}/web-config.json`)).status).toBe(200);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
