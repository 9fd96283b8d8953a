/**
 * The examples of README.md and client/README.md, run as written against a real server
 * process started the way `npm start` does (embedded mode, the sample catalog). The one
 * change: `localhost:4000` becomes the test server's address. Scripts are written under
 * build/ so their imports resolve from this repository's node_modules, as they do for a user
 * who runs them from a checkout.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_JWT_SECRET, tokenFor, waitFor } from "../support/app.js";
import { type ApiProcess, startApiProcess } from "../support/api-process.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCRIPTS = `${ROOT}build/readme-examples/`;
const readme = (path: string) => readFileSync(`${ROOT}${path}`, "utf8");

/** Fenced blocks of one language, in order. */
function blocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);
}

/** The js block whose first line is `// <name>`. */
function script(markdown: string, name: string): string {
  const found = blocks(markdown, "js").find((b) => b.startsWith(`// ${name}`));
  if (!found) throw new Error(`no js block starting with "// ${name}"`);
  return found;
}

interface Run {
  child: ChildProcess;
  /** stdout and stderr, interleaved. */
  out(): string;
  stdout(): string;
  exited: Promise<number | null>;
}

describe("the README examples, as written", () => {
  let api: ApiProcess;
  let address: string;
  const running: ChildProcess[] = [];

  const localize = (text: string) => text.replaceAll("localhost:4000", address);

  const start = (command: string, args: string[], env: Record<string, string> = {}): Run => {
    let out = "";
    let stdout = "";
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, JWT_SECRET: TEST_JWT_SECRET, NODE_ENV: "development", ...env } });
    running.push(child);
    child.stdout!.on("data", (d) => ((out += d), (stdout += d)));
    child.stderr!.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return { child, out: () => out, stdout: () => stdout, exited };
  };

  const runScript = (name: string, markdown: string, token?: string): Run => {
    mkdirSync(SCRIPTS, { recursive: true });
    writeFileSync(`${SCRIPTS}${name}`, localize(script(markdown, name)));
    return start(process.execPath, [`${SCRIPTS}${name}`], token ? { TOKEN: token } : {});
  };

  const finished = async (run: Run) => {
    const code = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r("timeout"), 20_000))]);
    expect(code, run.out()).toBe(0);
    return run.out();
  };

  const subscriptions = async () => {
    const text = await (await fetch(api.metricsUrl)).text();
    return Number(/^matchmaker_ws_subscriptions (\d+)/m.exec(text)?.[1] ?? 0);
  };

  const joinAs = async (sub: string, id: string) => {
    const res = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await tokenFor(sub)}` },
      body: JSON.stringify({ query: "mutation($id: ID!) { joinGame(id: $id) { freeSeats } }", variables: { id } }),
    });
    return ((await res.json()) as { data: { joinGame: { freeSeats: number } } }).data.joinGame;
  };

  beforeAll(async () => {
    // Embedded mode, the sample catalog, shipped limits: what `npm start` runs.
    api = await startApiProcess("", "", "all", { REDIS_URL: "", REDIS_KEY_PREFIX: "", EVENT_STREAM_KEY: "", NODE_ENV: "development", LOG_LEVEL: "warn" }, { shippedLimits: true });
    address = new URL(api.url).host;
  });
  afterAll(async () => {
    for (const c of running) c.kill("SIGKILL");
    await api?.stop();
  });

  it("the quick start's token, createGame and lobby search, and the watch.mjs subscription that shows them live", async () => {
    const tryIt = blocks(readme("README.md"), "sh").find((b) => b.includes("TOKEN=$(npm run -s matchmaker -- token"));
    expect(tryIt, "the Try it block").toBeDefined();

    const watcher = runScript("watch.mjs", readme("README.md"));
    await waitFor(async () => (await subscriptions()) >= 1, "watch.mjs to subscribe", 10_000);

    const shell = start("bash", ["-euo", "pipefail", "-c", localize(tryIt!)]);
    await finished(shell);
    const [created, listed] = shell.stdout().trim().split("\n").map((l) => JSON.parse(l));
    const game = created.data.createGame;
    expect(game).toMatchObject({ state: "OPEN", version: 1, freeSeats: 7, settings: expect.any(Object) });
    expect(listed.data.games.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(game.id);

    const line = (kind: string) =>
      watcher
        .out()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l))
        .find((c) => c.gameId === game.id && c.kind === kind);
    await waitFor(() => line("CREATED") !== undefined, "watch.mjs to print the CREATED change");
    expect(line("CREATED")).toEqual({ kind: "CREATED", gameId: game.id, version: 1, game: { state: "OPEN", freeSeats: 7, region: "eu" } });
    await joinAs("bob", game.id);
    await waitFor(() => line("UPDATED") !== undefined, "watch.mjs to print bob's join");
    expect(line("UPDATED")).toMatchObject({ version: 2, game: { freeSeats: 6 } });
    watcher.child.kill("SIGTERM");
    await watcher.exited;
  });

  it("client/README.md: the typed client's find-or-quickJoin, live lobby and typed refusal", async () => {
    const out = await finished(runScript("quick-join.mjs", readme("client/README.md"), await tokenFor("dave")));
    const seated = /^seated in (\S+) via quickJoin: OPEN, (\d) of 8 seats free$/m.exec(out);
    expect(seated, out).not.toBeNull();
    expect(out).toMatch(new RegExp(`^lobby: .*${seated![1]} ${seated![2]}/8`, "m"));
    expect(out).toMatch(/^refused: UNKNOWN_GAME_TYPE$/m);
  });

  it("client/README.md: Apollo Client with the typed documents, a subscription and the cache", async () => {
    const out = await finished(runScript("apollo.mjs", readme("client/README.md"), await tokenFor("erin")));
    const created = /^created (\S+)$/m.exec(out);
    expect(created, out).not.toBeNull();
    expect(out).toContain(`live: CREATED ${created![1]}`);
    expect(out).toMatch(/^listed: [1-9]\d* party-quiz games$/m);
  });

  it("client/README.md: urql with its default GET queries and a subscription", async () => {
    const out = await finished(runScript("urql.mjs", readme("client/README.md"), await tokenFor("frank")));
    expect(out).toMatch(/^quickJoined \S+: .*Frank$/m);
    expect(out).toMatch(/^listed: [1-9]\d* party-quiz games$/m);
    expect(out).toMatch(/^live: (UPDATED|DELETED)$/m);
  });

  it("client/README.md: graphql-ws alone — a mutation over the socket, then the game's changes", async () => {
    const before = await subscriptions();
    const run = runScript("graphql-ws.mjs", readme("client/README.md"), await tokenFor("gina"));
    await waitFor(() => /^created \S+ with 1 free seat$/m.test(run.out()), "the game made over the socket", 10_000);
    const id = /^created (\S+)/m.exec(run.out())![1]!;
    await waitFor(async () => (await subscriptions()) > before, "its subscription");
    expect(await joinAs("hank", id)).toEqual({ freeSeats: 0 });
    expect(await finished(run)).toContain("live: UPDATED v2");
  });
});
