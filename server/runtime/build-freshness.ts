// Whether the production build is missing or older than the sources it was built from
// (after a `git pull`, say), so that `npm start` rebuilds instead of serving stale code.
import fs from "node:fs";
import path from "node:path";

const SOURCE_DIRS = ["app", "components", "trpc", "server", "prisma", "public"];
const SOURCE_FILES = [
  "package.json",
  "next.config.ts",
  "proxy.ts",
  "instrumentation.ts",
  "postcss.config.mjs",
  "tsconfig.json",
];
const IGNORED = /(^|\/)(generated|testing)(\/|$)|\.test\.tsx?$/;

function newestMtime(root: string, rel: string): number {
  const full = path.join(root, rel);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return IGNORED.test(rel) ? 0 : stat.mtimeMs;
  let newest = 0;
  for (const entry of fs.readdirSync(full)) {
    const child = `${rel}/${entry}`;
    if (IGNORED.test(child)) continue;
    newest = Math.max(newest, newestMtime(root, child));
  }
  return newest;
}

export function buildIsStale(root: string): boolean {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!fs.existsSync(buildId)) return true;
  const builtAt = fs.statSync(buildId).mtimeMs;
  const newest = Math.max(...[...SOURCE_DIRS, ...SOURCE_FILES].map((rel) => newestMtime(root, rel)));
  return newest > builtAt;
}
