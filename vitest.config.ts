import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // Tests run on the server side, like `node --import ./server/runtime/register.mjs` (see there).
      "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
    },
  },
  test: {
    include: ["**/*.test.ts", "**/*.test.tsx"],
    exclude: ["node_modules/**", ".next/**", ".data/**", ".test-data/**", "e2e/clients/**"],
    testTimeout: 60_000,
    // A hook that starts the production server may first wait for (or do) the one `next build` of the
    // run, while the other test files keep both cores busy: on this 2-core machine that took over 5 minutes.
    hookTimeout: 600_000,
    pool: "forks",
  },
});
