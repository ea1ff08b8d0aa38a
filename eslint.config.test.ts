// The layer rules in eslint.config.mjs hold: each forbidden import is reported, each allowed one
// is not. (`npm run lint` checks the real tree; this guards the rules themselves.)
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const eslint = new ESLint({ cwd: import.meta.dirname });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return result!.messages.filter((m) => m.ruleId === "boundaries/dependencies").map((m) => m.message);
}

describe("layer rules", () => {
  it.each([
    ["server/core/x.ts", 'import { env } from "@/server/process/env";\nexport const x = env;', "core", "process"],
    ["server/core/x.ts", 'import { openDb } from "@/server/db/client";\nexport const x = openDb;', "core", "db"],
    ["components/x.tsx", 'import { openDb } from "@/server/db/client";\nexport const x = openDb;', "components", "db"],
    ["components/x.tsx", 'import type { Db } from "@/server/db/client";\nexport type X = Db;', "components", "db"],
    [
      "components/x.tsx",
      'import { readCosts } from "@/server/costs/read-costs";\nexport const x = readCosts;',
      "components",
      "services",
    ],
    [
      "server/providers/x.ts",
      'import { openDb } from "@/server/db/client";\nexport const x = openDb;',
      "providers",
      "db",
    ],
    [
      "server/gateway/x.ts",
      'import { appRouter } from "@/server/api/root";\nexport const x = appRouter;',
      "gateway",
      "api",
    ],
    [
      "server/api/x.ts",
      'import { TierBoard } from "@/components/tiers/tier-board";\nexport const x = TierBoard;',
      "api",
      "components",
    ],
  ])("%s: %j is refused", async (file, code, from, to) => {
    const errors = await layerErrors(file, code);
    expect(errors).toEqual([expect.stringContaining(`type "${from}" to elements of type "${to}"`)]);
  });

  it.each([
    ["server/core/x.ts", 'import { LANES } from "@/server/core/lanes";\nexport const x = LANES;'],
    ["components/x.tsx", 'import { formatMicroUsd } from "@/server/core/money";\nexport const x = formatMicroUsd;'],
    ["components/x.tsx", 'import type { RouterOutputs } from "@/server/api/root";\nexport type X = RouterOutputs;'],
    ["components/x.tsx", 'import { useTRPC } from "@/trpc/react";\nexport const x = useTRPC;'],
    ["server/gateway/x.ts", 'import { openDb } from "@/server/db/client";\nexport const x = openDb;'],
    ["server/providers/x.ts", 'import { env } from "@/server/process/env";\nexport const x = env;'],
    ["server/api/x.ts", 'import { readCosts } from "@/server/costs/read-costs";\nexport const x = readCosts;'],
    ["app/x/page.tsx", 'import { readCosts } from "@/server/costs/read-costs";\nexport const x = readCosts;'],
  ])("%s: %j is allowed", async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });
});
