// Builds only when something under src/ (or a tsconfig, or package.json) is newer than the
// build, so `npm run matchmaker -- token …` answers at once when the build is current.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), st.mtimeMs);
}

let built = 0;
try {
  built = statSync("dist/cli.js").mtimeMs;
} catch {
  // never built
}
const sources = Math.max(newest("src"), ...["package.json", "tsconfig.json", "tsconfig.build.json"].map((f) => statSync(f).mtimeMs));
if (sources > built) {
  const r = spawnSync("npm", ["run", "-s", "build"], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}
