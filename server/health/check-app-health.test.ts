import { afterEach, describe, expect, it, vi } from "vitest";
import type { Db } from "@/server/db/client";

const getDb = vi.fn<() => Promise<Db>>();
vi.mock("@/server/db/instance", () => ({ getDb: () => getDb() }));
const { checkHealth } = await import("./check-app-health");

function fakeDb(kind: Db["kind"], query: () => Promise<unknown[]>): Db {
  return { kind, location: "x", sql: { query } } as unknown as Db;
}

afterEach(() => getDb.mockReset());

describe("checkHealth", () => {
  it("answers 200 with the database kind when the database answers", async () => {
    getDb.mockResolvedValue(fakeDb("postgres", async () => [{ n: 2 }]));
    expect(await checkHealth()).toEqual({
      status: 200,
      body: { status: "ok", db: "postgres", turns: { pending: 0, spooled: 0, deadLettered: 2 } },
    });
  });

  it("answers 503 with the reason when the database cannot be opened", async () => {
    getDb.mockRejectedValue(new Error("cannot reach the database at db:5432/offload: ECONNREFUSED"));
    expect(await checkHealth()).toEqual({
      status: 503,
      body: {
        status: "degraded",
        reason: "cannot reach the database at db:5432/offload: ECONNREFUSED",
        turns: { pending: 0, spooled: 0, deadLettered: null },
      },
    });
  });

  it("answers 503 when the database does not answer in time", async () => {
    getDb.mockResolvedValue(fakeDb("pglite", () => new Promise(() => {})));
    const report = await checkHealth(50);
    expect(report.status).toBe(503);
    expect(report.body).toMatchObject({ status: "degraded", reason: "database did not answer within 50 ms" });
  });
});
