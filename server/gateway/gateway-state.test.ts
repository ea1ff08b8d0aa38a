// The gateway's state re-read keeps what did not change: the classifier compiles its vocabulary
// once per list of task types, so an unchanged list must stay the same object across re-reads.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedCatalogue } from "@/server/db/seed";
import type { Db } from "@/server/db/client";
import { testDatabases } from "@/server/testing/test-databases";
import { gatewayState, invalidateGatewayState } from "./gateway-state";

describe.each(testDatabases())("the gateway's state on $kind", (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await target.create();
    await seedCatalogue(db);
  });
  afterAll(() => target.cleanup());

  it("keeps the task types read before when they are unchanged, and takes a changed list", async () => {
    invalidateGatewayState();
    const first = await gatewayState(db);
    invalidateGatewayState();
    const again = await gatewayState(db);
    expect(again).not.toBe(first); // read afresh
    expect(again.taskTypes).toBe(first.taskTypes); // and the same list kept

    const renamed = first.taskTypes[0]!;
    await db.prisma.taskType.update({ where: { id: renamed.id }, data: { name: `${renamed.name} (renamed)` } });
    invalidateGatewayState();
    const changed = await gatewayState(db);
    expect(changed.taskTypes).not.toBe(first.taskTypes);
    expect(changed.taskTypes.find((t) => t.id === renamed.id)?.name).toBe(`${renamed.name} (renamed)`);
  });
});
