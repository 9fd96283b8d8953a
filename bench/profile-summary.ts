import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Self time of a V8 CPU profile (.cpuprofile, as node --cpu-prof or the inspector's Profiler
 * writes it) by category — jose/JWT, graphql-js, type-graphql, Apollo, ioredis, JSON, GC, … —
 * and its top functions. `node build/bench/bench/profile-summary.js FILE [REQUESTS]` prints it;
 * with REQUESTS (the requests served while profiling) also µs per request.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const EXPRESS = /node_modules\/(express|body-parser|raw-body|router|iconv-lite|type-is|content-type|qs|on-finished|finalhandler|send|depd|bytes|mime-types|mime-db|negotiator|accepts|cors|vary|statuses|http-errors|media-typer|fresh|etag|proxy-addr|forwarded|parseurl|encodeurl|escape-html|ipaddr\.js|unpipe|setprototypeof|cookie|path-to-regexp|debug|ms|merge-descriptors|content-disposition|range-parser|serve-static|utils-merge|methods|safe-buffer|safer-buffer|ee-first|inherits|object-inspect|side-channel[^/]*|call-bound|get-intrinsic|es-errors|function-bind|hasown|dunder-proto|math-intrinsics|gopd|has-symbols|es-define-property|es-object-atoms|call-bind-apply-helpers|get-proto)\//;

const NATIVE = "other (builtins, regexps, native)";
const NODE = "node: http, net, streams, promises, timers";
const JWT = "jose / JWT (jose, WebCrypto HMAC and key import)";
const CRYPTO = "node:crypto";

/** First match wins. */
const CATEGORIES: [string, (url: string, fn: string) => boolean][] = [
  ["GC", (_u, f) => f === "(garbage collector)"],
  ["idle", (_u, f) => f === "(idle)"],
  ["(program): V8 and native code outside JS frames", (_u, f) => f === "(program)"],
  [JWT, (u) => /node_modules\/jose\//.test(u) || /\/src\/auth\//.test(u)],
  // node:crypto counts for whoever called it: jose's WebCrypto HMAC, Apollo's sha256 of each query.
  [CRYPTO, (u) => /^node:internal\/crypto\//.test(u)],
  ["graphql-js (parse, validate, execute, serialize)", (u) => /node_modules\/graphql\//.test(u)],
  ["type-graphql", (u) => /node_modules\/type-graphql\//.test(u)],
  ["Apollo Server, its plugins, express integration", (u) => /node_modules\/(@apollo\/|@as-integrations\/)/.test(u)],
  ["graphql-armor (query limits)", (u) => /node_modules\/@escape\.tech\//.test(u)],
  ["graphql-scalars, @graphql-tools", (u) => /node_modules\/(graphql-scalars|@graphql-tools)\//.test(u)],
  ["ioredis (commands, reply parsing)", (u) => /node_modules\/(ioredis|redis-parser|denque|cluster-key-slot|standard-as-callback|redis-errors|@ioredis)\//.test(u)],
  ["rate-limiter-flexible", (u) => /node_modules\/rate-limiter-flexible\//.test(u)],
  ["express, body parsing", (u) => EXPRESS.test(u)],
  ["prom-client (metrics)", (u) => /node_modules\/(prom-client|tdigest|bintrees)\//.test(u)],
  ["pino (logging)", (u) => /node_modules\/(pino[^/]*|sonic-boom|thread-stream|on-exit-leak-free|fast-redact|quick-format-unescaped|atomic-sleep|safe-stable-stringify)\//.test(u)],
  ["JSON.parse / JSON.stringify (builtins)", (u, f) => u === "" && /^(JSON\.)?(parse|stringify)$/.test(f)],
  ["project: store (Redis, memory), records ↔ JSON", (u) => /\/src\/store\//.test(u)],
  ["project: graphql types, resolvers, mappers", (u) => /\/src\/graphql\//.test(u)],
  ["project: service, domain", (u) => /\/src\/(service|domain)\//.test(u)],
  ["project: http (api-server, query guard, plugins)", (u) => /\/src\/http\//.test(u)],
  ["project: rate limits", (u) => /\/src\/ratelimit\//.test(u)],
  ["project: metrics", (u) => /\/src\/metrics/.test(u)],
  ["project: other", (u) => /\/src\//.test(u) && !/node_modules/.test(u)],
  ["other node_modules", (u) => /node_modules\//.test(u)],
  [NODE, (u) => /^node:/.test(u)],
  [NATIVE, () => true],
];

export interface ProfileSummary {
  /** Wall time profiled, ms. */
  durationMs: number;
  /** Main-thread time that was not idle, ms. */
  busyMs: number;
  requests: number | null;
  categories: { name: string; ms: number; share: number; usPerRequest: number | null }[];
  top: { fn: string; where: string; category: string; ms: number; share: number }[];
}

export function summarizeProfile(file: string, requests: number | null = null, topN = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; the time after it is closer to what it ran.
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + dt);
  }
  const parent = new Map<number, ProfileNode>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const memo = new Map<number, string>();
  // A native frame (no url: writev, the WebCrypto job's run, …) counts for the JS that called it;
  // GC, idle, (program) and the JSON builtins keep categories of their own.
  const categoryOf = (n: ProfileNode): string => {
    let c = memo.get(n.id);
    if (c !== undefined) return c;
    const { url, functionName } = n.callFrame;
    const own = CATEGORIES.find(([, test]) => test(url, functionName))![0];
    const up = parent.get(n.id);
    const inherited = up && up.callFrame.functionName !== "(root)" ? categoryOf(up) : own;
    // Node internals called by WebCrypto (a CryptoKey made transferable, …) count for the JWT too.
    c = own === NATIVE || own === CRYPTO || (own === NODE && inherited === JWT) ? inherited : own;
    memo.set(n.id, c);
    return c;
  };
  const categories = new Map<string, number>();
  const functions = new Map<string, { fn: string; where: string; category: string; us: number }>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    const category = categoryOf(node);
    total += us;
    if (category === "idle") {
      idle += us;
      continue;
    }
    categories.set(category, (categories.get(category) ?? 0) + us);
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^.*\/node_modules\//, "").replace(/^.*\/build\/bench\//, "")}:${lineNumber + 1}` : "";
    const key = `${functionName}@${where}`;
    const f = functions.get(key) ?? { fn: functionName || "(anonymous)", where, category, us: 0 };
    f.us += us;
    functions.set(key, f);
  }
  const busy = total - idle;
  return {
    durationMs: (profile.endTime - profile.startTime) / 1_000,
    busyMs: busy / 1_000,
    requests,
    categories: [...categories]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: us / 1_000, share: us / busy, usPerRequest: requests ? us / requests : null })),
    top: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((f) => ({ fn: f.fn, where: f.where, category: f.category, ms: f.us / 1_000, share: f.us / busy })),
  };
}

export function formatSummary(s: ProfileSummary, indent = "    ", topN = 12): string {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
  const lines = [
    `${indent}main thread busy ${s.busyMs.toFixed(0)} ms of ${s.durationMs.toFixed(0)} ms` +
      (s.requests ? ` over ${s.requests.toLocaleString("en")} requests (${((s.busyMs * 1_000) / s.requests).toFixed(0)} µs of busy main thread per request)` : ""),
    `${indent}self time by category:`,
    ...s.categories
      .filter((c) => c.share >= 0.003)
      .map((c) => `${indent}  ${pct(c.share)}  ${c.usPerRequest !== null ? `${c.usPerRequest.toFixed(1).padStart(6)} µs/req  ` : ""}${c.name}`),
    `${indent}top functions by self time:`,
    ...s.top.slice(0, topN).map((f) => `${indent}  ${pct(f.share)}  ${f.fn}  ${f.where}  [${f.category}]`),
  ];
  return lines.join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, requests] = process.argv.slice(2);
  if (!file) {
    console.error("usage: node profile-summary.js FILE.cpuprofile [REQUESTS]");
    process.exit(2);
  }
  console.log(formatSummary(summarizeProfile(file, requests ? Number(requests) : null), "", 25));
}
