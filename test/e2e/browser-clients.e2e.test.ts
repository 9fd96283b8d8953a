/**
 * Apollo Client, urql and the graphql-ws client in headless Chromium, each with its default
 * settings, in a page served from another origin than the API — so every HTTP call is a real
 * cross-origin request with the browser's own CORS preflights, and every socket carries the
 * page's Origin. The page (test/browser-clients) is bundled with Vite, as an app would be.
 */
import { createReadStream, existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gqlOk, type TestApp, tokenFor } from "../support/app.js";
import { launchChromium } from "../support/headless-chromium.js";
import { serverCatalog } from "../support/server-catalog.js";
import { bothModes, watcherReady } from "./modes.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const OUT = join(ROOT, "build/browser-clients");
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" };

let browser: Browser;
let site: Server;
let siteUrl: string;

beforeAll(async () => {
  await build({ root: join(ROOT, "test/browser-clients"), logLevel: "warn", build: { outDir: OUT, emptyOutDir: true }, configFile: false });
  site = createServer((req, res) => {
    const file = join(OUT, req.url === "/" ? "index.html" : decodeURIComponent(req.url!.split("?")[0]!));
    if (!file.startsWith(OUT) || !existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
  // "localhost" here and 127.0.0.1 for the API: two origins, as a dev server and an API are.
  siteUrl = `http://localhost:${(site.address() as { port: number }).port}/`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => site?.close(r));
});

describe.each(bothModes())("GraphQL clients in a browser on another origin ($name)", (mode) => {
  let t: TestApp;
  let alice: string, bob: string;
  beforeAll(async () => {
    t = await mode.start({ catalog: serverCatalog("http://127.0.0.1:9") });
    [alice, bob] = await Promise.all([tokenFor("alice"), tokenFor("bob")]);
  });
  afterAll(async () => {
    await t?.close();
    await mode.teardown();
  });

  const openPage = async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    const requests: { method: string; url: string }[] = [];
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("request", (r) => requests.push({ method: r.method(), url: r.url() }));
    await page.goto(siteUrl);
    await page.waitForFunction(() => "clients" in globalThis);
    return { page, problems, requests };
  };
  const call = (page: Page, kind: string, op: "query" | "mutate", doc: string, variables: Record<string, unknown> = {}) =>
    page.evaluate(([k, o, d, v]) => (globalThis as any).clients[k][o](d, v), [kind, op, doc, variables] as const);

  it.each(["apollo", "urql", "graphql-ws"])("%s: query, mutation, refusal and subscription", async (kind) => {
    const { page, problems, requests } = await openPage();
    try {
      await page.evaluate(([k, url, ws, token]) => (globalThis as any).clients.make(k, url, ws, token), [kind, t.url, t.wsUrl, alice] as const);

      const types = (await call(page, kind, "query", "query Types { gameTypes { id } }")) as { gameTypes: { id: string }[] };
      expect(types.gameTypes.map((g) => g.id)).toContain("lobby");

      const created = (await call(page, kind, "mutate", 'mutation Create { createGame(input: { gameType: "lobby", capacity: 3 }) { id version creator { id } } }')) as {
        createGame: { id: string; version: number; creator: { id: string } };
      };
      expect(created.createGame).toMatchObject({ version: 1, creator: { id: "alice" } });
      const id = created.createGame.id;
      expect(await call(page, kind, "mutate", "mutation Join($id: ID!) { joinGame(id: $id) { id } }", { id })).toEqual({ code: "ALREADY_JOINED" });

      const topic = t.app.backends.bus.topics.game(id);
      const before = t.app.backends.bus.localSubscribers(topic);
      await page.evaluate(
        ([k, id]) => (globalThis as any).clients.subscribe(k, "subscription Watch($id: ID!) { gameChanged(id: $id) { kind version game { players { id } } } }", { id }),
        [kind, id] as const,
      );
      await watcherReady(t, topic, before, mode.redisUrl());
      await gqlOk(t.url, "mutation($id: ID!) { joinGame(id: $id) { id } }", { id }, bob);
      const change = await page.evaluate((k) => (globalThis as any).clients.nextChange(k), kind);
      // Apollo adds __typename to what it asks for.
      expect(change).toMatchObject({ gameChanged: { kind: "UPDATED", version: 2, game: { players: [{ id: "alice" }, { id: "bob" }] } } });

      expect(problems).toEqual([]);
      const api = requests.filter((r) => r.url.startsWith(t.url));
      if (kind === "graphql-ws") expect(api).toEqual([]);
      // urql's default for a short query is GET; Apollo's is POST.
      if (kind === "urql") expect(api.find((r) => r.url.includes("gameTypes"))?.method).toBe("GET");
      if (kind === "apollo") expect(api.every((r) => r.method === "POST")).toBe(true);
    } finally {
      await page.close();
    }
  });
});
