// `npm run bench -- --spool`: what the turn spool costs. The same gateway handler (in this process,
// a fake Claude, embedded database) with the spool off, written only, and written with fdatasync
// (the default), sequentially and 20 at a time, in
// one run, alternating so that the machine's drift touches both; and how many turns each
// fdatasync carried (group commit).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { startFakeAnthropic } from "@/server/testing/fake-anthropic";
import { serveHandlers } from "@/server/testing/serve-handlers";
import { testDatabases } from "@/server/testing/test-databases";
import { seedCatalogue } from "@/server/db/seed";
import { addAgent } from "@/server/agents/manage-agents";
import { configureTurnWriter, flushTurns, turnWriterStatus } from "@/server/gateway/turn-writer";
import { percentile as pct } from "@/server/core/stats";
import { resetEnv } from "@/server/process/env";

type Mode = "off" | "write" | "on";

async function run(count: number, concurrency: number, send: () => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        const t = performance.now();
        await send();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { latencies: latencies.sort((a, b) => a - b), perSecond: count / seconds };
}

export async function benchSpool(): Promise<void> {
  const claude = await startFakeAnthropic();
  const target = testDatabases()[0]!;
  const db = await target.create();
  const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), "offload-bench-spool-"));
  const saved = { ...process.env };
  Object.assign(process.env, { ANTHROPIC_API_KEY: "sk-bench", ANTHROPIC_BASE_URL: claude.url });
  resetEnv();
  try {
    await seedCatalogue(db);
    const { key } = await addAgent(db, { id: "bench", pin: "claude" });
    const offload = await serveHandlers(db);
    const body = JSON.stringify({
      model: "claude-opus-4-6",
      max_tokens: 64,
      messages: [{ role: "user", content: "hi" }],
    });
    const send = async () => {
      const res = await fetch(`${offload.url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json" },
        body,
      });
      if (res.status !== 200) throw new Error(`${res.status}`);
      await res.arrayBuffer();
    };
    const rows: Record<string, string>[] = [];
    const writes: Record<string, { groups: number; turns: number }> = {};
    for (const [label, count, concurrency] of [
      ["sequential", 400, 1],
      ["20 at a time", 2_000, 20],
    ] as const) {
      const results: Record<Mode, { latencies: number[]; perSecond: number }[]> = { off: [], write: [], on: [] };
      for (let round = 0; round < 4; round++) {
        for (const mode of round % 2 ? (["on", "write", "off"] as const) : (["off", "write", "on"] as const)) {
          configureTurnWriter(async () => db, mode === "off" ? {} : { spoolDir, spoolSync: mode === "on" });
          await run(50, concurrency, send); // warm
          results[mode].push(await run(count / 4, concurrency, send));
          if (mode === "on") {
            const w = turnWriterStatus().spoolWrites;
            writes[label] = {
              groups: (writes[label]?.groups ?? 0) + w.groups,
              turns: (writes[label]?.turns ?? 0) + w.turns,
            };
          }
          await flushTurns();
        }
      }
      const merged = (mode: Mode) => ({
        latencies: results[mode].flatMap((r) => r.latencies).sort((a, b) => a - b),
        perSecond: results[mode].reduce((s, r) => s + r.perSecond, 0) / results[mode].length,
      });
      const off = merged("off");
      const written = merged("write");
      const on = merged("on");
      rows.push({
        load: label,
        "p50 ms: off / write / fsync": [off, written, on].map((m) => pct(m.latencies, 0.5).toFixed(2)).join(" / "),
        "p99 ms: off / write / fsync": [off, written, on].map((m) => pct(m.latencies, 0.99).toFixed(1)).join(" / "),
        "turns/s: off / write / fsync": [off, written, on].map((m) => m.perSecond.toFixed(0)).join(" / "),
        "turns per fdatasync": (writes[label]!.turns / Math.max(1, writes[label]!.groups)).toFixed(1),
      });
    }
    configureTurnWriter(async () => db);
    await offload.close();
    console.log(`\nThe turn spool (${spoolDir} on ${os.platform()}), same handler, same run:`);
    console.table(rows);
  } finally {
    process.env = saved;
    resetEnv();
    fs.rmSync(spoolDir, { recursive: true, force: true });
    await target.cleanup();
    await claude.close();
  }
}
