// Node's loader setup for every TypeScript entry point run outside Next.js (npm start, the
// `offload` CLI, benchmarks, the tests' child processes): `node --import ./server/runtime/register.mjs <file.ts>`.
// It loads TypeScript through tsx with the project's tsconfig (the `@/` paths), and lets modules
// marked `import "server-only"` load: that package throws outside React's server environment (so
// that Next.js refuses to bundle a marked module into the browser), and plain Node is a server.
import path from "node:path";
import { register } from "node:module";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
process.env.TSX_TSCONFIG_PATH ??= path.join(root, "tsconfig.json");
register("./server-only-hook.mjs", import.meta.url);
const { register: registerTsx } = await import("tsx/esm/api");
registerTsx();
