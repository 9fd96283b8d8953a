import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { summarizeProfile } from "../../bench/profile-summary.js";

const dir = mkdtempSync(join(tmpdir(), "mm-prof-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url, lineNumber: 0, columnNumber: 0 },
  children,
});

describe("bench profile summary", () => {
  it("sums self time by category; native frames and node:crypto count for their caller", () => {
    const nm = "file:///app/node_modules";
    const nodes = [
      frame(1, "(root)", "", [2, 3, 4, 5, 8, 9]),
      frame(2, "(garbage collector)", ""),
      frame(3, "(idle)", ""),
      frame(4, "jwtVerify", `${nm}/jose/dist/webapi/jwt/verify.js`, [6]),
      frame(5, "processGraphQLRequest", `${nm}/@apollo/server/dist/esm/requestPipeline.js`, [7]),
      frame(6, "signVerify", "node:internal/crypto/webcrypto", [10]),
      frame(7, "createHash", "node:internal/crypto/hash"),
      frame(8, "executeFields", `${nm}/graphql/execution/execute.js`),
      frame(9, "decodeGame", "file:///app/build/bench/src/store/redis/codec.js"),
      frame(10, "run", ""),
    ];
    // Sample i's time is timeDeltas[i + 1]: 1 ms each here.
    const samples = [2, 3, 3, 4, 6, 10, 10, 5, 7, 8, 9, 9];
    const profile = { nodes, startTime: 0, endTime: 13_000, samples, timeDeltas: [0, ...samples.map(() => 1_000)] };
    const file = join(dir, "p.cpuprofile");
    writeFileSync(file, JSON.stringify(profile));
    const s = summarizeProfile(file, 5);
    const ms = Object.fromEntries(s.categories.map((c) => [c.name, c.ms]));
    expect(s.busyMs).toBe(10); // 12 samples, 2 idle
    expect(ms).toEqual({
      "jose / JWT (jose, WebCrypto HMAC and key import)": 4, // jwtVerify, signVerify, 2 × the job's run
      "Apollo Server, its plugins, express integration": 2, // the pipeline and its sha256
      "project: store (Redis, memory), records ↔ JSON": 2,
      GC: 1,
      "graphql-js (parse, validate, execute, serialize)": 1,
    });
    expect(s.categories[0]).toMatchObject({ share: 0.4, usPerRequest: 800 });
    expect(s.top[0]).toMatchObject({ fn: "run", ms: 2, category: "jose / JWT (jose, WebCrypto HMAC and key import)" });
  });
});
