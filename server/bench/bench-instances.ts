// `npm run bench -- --instances [--moves N]`: how soon a change made on one Offload instance routes
// another instance's next decision, when both share one Postgres (issue 17, several instances).
// Two `npm start` servers on a database of the bench's own (offload_bench_instances on the
// BENCH_DATABASE_URL or TEST_DATABASE_URL server, dropped after the run). A task type is moved
// between the local and the Claude lane N times, alternately:
//   - through instance A's tRPC (`tiers.moveTaskType`): A announces it (NOTIFY offload_changes) and
//     B re-reads its routing state before its next turn;
//   - straight in the database (an UPDATE no instance hears of): B sees it only through its
//     one-second re-read, the fallback when notices are lost. This is the baseline of the same run.
// After each move a turn is sent through B's gateway every 5 ms until B serves it on the new lane
// (its x-offload-lane header); the time from the change's commit (its call returned) to that turn is
// the figure. A random pause of up to a second between changes spreads them over B's re-read cycle. Printed as a table; never asserted.
import pg from "pg";
import { performance } from "node:perf_hooks";
import { startServer, type StartedServer } from "@/server/testing/start-server";
import { startFakeAnthropic } from "@/server/testing/fake-anthropic";
import { startFakeOllama } from "@/server/testing/fake-ollama";
import { callAdmin } from "@/server/testing/call-admin";
import { percentile as pct } from "@/server/core/stats";

const TOKEN = "bench-instances-admin-token";
const TASK_TYPE = "code-review";
const POLL_MS = 5;
const GIVE_UP_MS = 10_000;

export function readInstancesBenchArgs(argv: string[]): { moves: number } {
  const i = argv.indexOf("--moves");
  const moves = i > 0 ? Number(argv[i + 1]) : 40;
  if (!Number.isInteger(moves) || moves < 2) throw new Error(`--moves takes a whole number of 2 or more`);
  return { moves };
}

async function sql(connectionString: string, text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

export async function benchInstances(options: { moves: number }): Promise<void> {
  const base = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!base) {
    console.log("(set BENCH_DATABASE_URL to a Postgres server: the bench makes and drops a database of its own there)");
    return;
  }
  const name = "offload_bench_instances";
  const url = new URL(base);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  await sql(base, `drop database if exists "${name}" with (force)`);
  await sql(base, `create database "${name}"`);
  const claude = await startFakeAnthropic();
  const ollama = await startFakeOllama();
  const servers: StartedServer[] = [];
  try {
    const env = {
      DATABASE_URL: databaseUrl,
      OFFLOAD_ADMIN_TOKEN: TOKEN,
      OFFLOAD_HOST: "127.0.0.1",
      OFFLOAD_DEMO: "off",
      ANTHROPIC_API_KEY: "sk-bench",
      ANTHROPIC_BASE_URL: claude.url,
      OLLAMA_HOST: ollama.url,
    };
    const a = await startServer({ env });
    servers.push(a);
    const b = await startServer({ env });
    servers.push(b);
    const { key } = await callAdmin<{ key: string }>(a, "agents.add", { id: "bench", pin: "none" }, { token: TOKEN });
    // A turn through B's gateway, classified as a code review (the task type moved): the lane
    // B's gateway chose is in its x-offload-lane header.
    const askB = () =>
      fetch(`${b.url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json" },
        body: JSON.stringify({
          model: "claude-opus-4-6",
          max_tokens: 16,
          messages: [
            { role: "user", content: "Review this pull request: the change to the retry logic in the parser" },
          ],
        }),
      });
    const laneOnB = async (): Promise<string> => {
      const res = await askB();
      const body = await res.text();
      if (res.status !== 200) throw new Error(`B answered ${res.status}: ${body}`);
      return res.headers.get("x-offload-lane") ?? "none";
    };
    /** From the change's commit (its call returned) to B's first turn on the new lane. */
    const seen = async (lane: string, change: () => Promise<unknown>): Promise<number> => {
      await change();
      const t0 = performance.now();
      for (;;) {
        if ((await laneOnB()) === lane) return performance.now() - t0;
        if (performance.now() - t0 > GIVE_UP_MS) throw new Error(`B did not route ${TASK_TYPE} to ${lane} within 10 s`);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    };
    // B knows the key (it may have been added after B's last read).
    for (let t0 = performance.now(); (await askB()).status !== 200;) {
      if (performance.now() - t0 > GIVE_UP_MS) throw new Error("B never accepted the agent's key");
      await new Promise((r) => setTimeout(r, 50));
    }
    const start = await laneOnB();
    const other = start === "claude" ? "local" : "claude";
    const notified: number[] = [];
    const polled: number[] = [];
    let lane = start;
    for (let i = 0; i < options.moves; i++) {
      const to = lane === start ? other : start;
      const from = lane;
      if (i % 2 === 0) {
        notified.push(
          await seen(to, () => callAdmin(a, "tiers.moveTaskType", { id: TASK_TYPE, lane: to, from }, { token: TOKEN })),
        );
      } else {
        polled.push(
          await seen(to, () =>
            sql(databaseUrl, `update "TaskType" set "lane" = $1::"Lane" where "id" = $2`, [to, TASK_TYPE]),
          ),
        );
      }
      lane = to;
      // A random pause, so that the next change falls anywhere in B's one-second re-read cycle.
      await new Promise((r) => setTimeout(r, Math.random() * 1_000));
    }
    const row = (what: string, times: number[]) => {
      const sorted = [...times].sort((x, y) => x - y);
      return {
        "change made": what,
        changes: sorted.length,
        "min ms": sorted[0]!.toFixed(0),
        "p50 ms": pct(sorted, 0.5).toFixed(0),
        "max ms": sorted.at(-1)!.toFixed(0),
      };
    };
    console.log(
      `\nTwo instances on one Postgres: from a change to the other instance's first decision that follows it (B asked every ${POLL_MS} ms; target: within 2 s)`,
    );
    console.table([
      row("on instance A (tRPC; A announces it with NOTIFY)", notified),
      row("in the database directly (no notice: B's one-second re-read)", polled),
    ]);
  } finally {
    for (const s of servers) await s.stop();
    await claude.close();
    await ollama.close();
    await sql(base, `drop database if exists "${name}" with (force)`).catch(() => {});
  }
}
