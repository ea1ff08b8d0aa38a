// The gateways side by side (`npm run bench -- --gateway --peer portkey [--runs N]`): the same
// Anthropic request sent straight to the fake Claude and through each gateway, JSON and streaming,
// sequentially and at 10 and 50 concurrent, repeated N times. Per run and gateway: the latency it
// adds over direct at p50 and p99 (time to the answer's last byte; undici keep-alive clients,
// a fresh pool per batch), requests per
// second, CPU milliseconds per request of the gateway's process (/proc/<pid>/stat utime + stime
// before and after) and its RSS after the run's load (/proc/<pid>/status VmRSS). Every answer is
// checked (200 and a whole Anthropic message or stream) and every request must have reached the
// fake Claude exactly once. Then min / median / max over the runs, and Offload / peer at the medians.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { performance } from "node:perf_hooks";
import { Agent, request, type Dispatcher } from "undici";
import { percentile as pct } from "@/server/core/stats";
import type { FakeAnthropic } from "@/server/testing/fake-anthropic";

export type SideBySideTarget = {
  name: string;
  url: string;
  /** The gateway's process: its CPU time and RSS are read from /proc. */
  pid: number;
  /** Headers of every request besides the Anthropic ones (the key; a peer's routing headers). */
  headers: Record<string, string>;
};

const LEVELS = [1, 10, 50] as const;
const MODES = ["json", "stream"] as const;
type Mode = (typeof MODES)[number];
const requestsAt = (concurrency: number) => (concurrency === 1 ? 500 : 2_000);
const EXPECTED_TEXT = "claude: review this change";

/** Sends `count` requests from `concurrency` clients; latencies ascending, and the rate. */
export async function timed(
  count: number,
  concurrency: number,
  send: () => Promise<void>,
): Promise<{ latencies: number[]; perSecond: number }> {
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
  return { latencies: latencies.sort((a, b) => a - b), perSecond: Math.round(count / seconds) };
}

let ticks: number | null = null;
/** Clock ticks per second of /proc's CPU times (getconf CLK_TCK; 100 on Linux). */
function ticksPerSecond(): number {
  if (ticks === null) {
    const out = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim();
    ticks = Number(out) > 0 ? Number(out) : 100;
  }
  return ticks;
}

/** CPU time (user + system) the process has used so far, in ms. */
export function cpuMsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  // After "pid (comm) ": field 3 (state) is index 0, so utime (14) and stime (15) are 11 and 12.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond();
}

/** The process's resident set, in MiB. */
export function rssMiBOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

function bodyOf(mode: Mode): string {
  return JSON.stringify({
    model: "claude-opus-4-6",
    max_tokens: 64,
    ...(mode === "stream" ? { stream: true } : {}),
    messages: [{ role: "user", content: "review this change" }],
  });
}

/** Throws unless the answer is the fake Claude's whole answer. */
function checkAnswer(where: string, mode: Mode, status: number, text: string): void {
  if (status !== 200) throw new Error(`${where}: ${status} ${text.slice(0, 300)}`);
  if (mode === "json") {
    const message = JSON.parse(text) as { type?: string; content?: { text?: string }[] };
    if (message.type !== "message" || message.content?.[0]?.text !== EXPECTED_TEXT)
      throw new Error(`${where}: not the fake Claude's message: ${text.slice(0, 300)}`);
  } else if (!text.startsWith("event: message_start") || !text.includes("event: message_stop"))
    throw new Error(`${where}: not a whole stream: ${text.slice(0, 300)}`);
}

/**
 * One batch's client: its own keep-alive pool (one connection per concurrent client), closed after
 * the batch, so that no batch reuses a connection the server closed while other targets were driven.
 */
function sender(
  url: string,
  headers: Record<string, string>,
  mode: Mode,
  where: string,
): { send: () => Promise<void>; failures: string[]; close: () => Promise<void> } {
  const body = bodyOf(mode);
  const all = { ...headers, "anthropic-version": "2023-06-01", "content-type": "application/json" };
  const dispatcher = new Agent({ keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 });
  const target = `${url}/v1/messages`;
  const failures: string[] = [];
  return {
    send: async () => {
      let res: Dispatcher.ResponseData;
      try {
        res = await request(target, { method: "POST", headers: all, body, dispatcher });
      } catch (err) {
        // A connection the gateway reset or closed: counted (and shown), not retried (it may have reached upstream).
        failures.push((err as Error).message);
        return;
      }
      checkAnswer(where, mode, res.statusCode, await res.body.text());
    },
    failures,
    close: () => dispatcher.close(),
  };
}

/** `timed` with a fresh client (see sender). */
async function drive(
  count: number,
  concurrency: number,
  url: string,
  headers: Record<string, string>,
  mode: Mode,
  where: string,
): Promise<{ latencies: number[]; perSecond: number; failed: number }> {
  const client = sender(url, headers, mode, where);
  try {
    const result = await timed(count, concurrency, client.send);
    const failed = client.failures.length;
    if (failed > count / 100) throw new Error(`${where}: ${failed} of ${count} requests failed: ${client.failures[0]}`);
    if (failed) console.log(`${where}: ${failed} of ${count} requests failed (${client.failures[0]})`);
    return { ...result, failed };
  } finally {
    await client.close();
  }
}

type Figures = { addedP50: number; addedP99: number; perSecond: number; cpuMsPerRequest: number };
type RunResult = { figures: Map<string, Figures>; rssMiB: Map<string, number> };

const keyOf = (mode: Mode, concurrency: number, target: string) => `${mode}|${concurrency}|${target}`;

async function oneRun(
  upstream: FakeAnthropic,
  targets: SideBySideTarget[],
  run: number,
  sentTo: Record<string, number>,
  failedAt: Record<string, number>,
): Promise<RunResult> {
  const figures = new Map<string, Figures>();
  const rows: Record<string, string | number>[] = [];
  // Alternate the gateways' order between runs: neither always goes first after direct.
  const order = run % 2 === 0 ? targets : [...targets].reverse();
  for (const mode of MODES) {
    for (const concurrency of LEVELS) {
      const count = requestsAt(concurrency);
      upstream.requests.length = 0;
      const d = await drive(count, concurrency, upstream.url, { "x-api-key": "sk-bench" }, mode, "direct");
      const row: Record<string, string | number> = {
        mode,
        concurrency,
        "direct p50": pct(d.latencies, 0.5).toFixed(2),
        "direct p99": pct(d.latencies, 0.99).toFixed(2),
      };
      for (const target of order) {
        upstream.requests.length = 0;
        const cpu0 = cpuMsOf(target.pid);
        const v = await drive(count, concurrency, target.url, target.headers, mode, target.name);
        const cpuMs = cpuMsOf(target.pid) - cpu0;
        const reached = upstream.requests.length;
        const answered = count - v.failed;
        if (reached < answered || reached > count)
          throw new Error(`${target.name}: ${answered} requests answered, ${reached} reached the fake Claude`);
        failedAt[target.name] = (failedAt[target.name] ?? 0) + v.failed;
        sentTo[target.name] = (sentTo[target.name] ?? 0) + count;
        const f: Figures = {
          addedP50: pct(v.latencies, 0.5) - pct(d.latencies, 0.5),
          addedP99: pct(v.latencies, 0.99) - pct(d.latencies, 0.99),
          perSecond: v.perSecond,
          cpuMsPerRequest: cpuMs / count,
        };
        figures.set(keyOf(mode, concurrency, target.name), f);
        row[`${target.name} +p50`] = f.addedP50.toFixed(2);
        row[`${target.name} +p99`] = f.addedP99.toFixed(2);
        row[`${target.name} req/s`] = f.perSecond;
        row[`${target.name} CPU ms/req`] = f.cpuMsPerRequest.toFixed(2);
      }
      rows.push(row);
    }
  }
  upstream.requests.length = 0;
  const rssMiB = new Map(targets.map((t) => [t.name, rssMiBOf(t.pid)]));
  console.log(
    `\nSide by side, run ${run + 1} (ms; +p50/+p99: added over direct; RSS after the load: ${targets
      .map((t) => `${t.name} ${rssMiB.get(t.name)!.toFixed(0)} MiB`)
      .join(", ")})`,
  );
  console.table(rows);
  return { figures, rssMiB };
}

const median = (xs: number[]) =>
  pct(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

function spread(xs: number[], digits: number): string {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[0]!.toFixed(digits)} / ${median(s).toFixed(digits)} / ${s.at(-1)!.toFixed(digits)}`;
}

/**
 * Drives direct, then each gateway, with the same requests, `runs` times; prints each run and the
 * summary. Returns how many requests each gateway answered (Offload's are all recorded turns).
 */
export async function compareGateways(options: {
  upstream: FakeAnthropic;
  targets: SideBySideTarget[];
  runs: number;
}): Promise<{ sentTo: Record<string, number> }> {
  const { upstream, targets, runs } = options;
  const sentTo: Record<string, number> = {};
  const failedAt: Record<string, number> = {};
  // Warm up every path (JIT, connection pools, caches) before the first measured run.
  for (const mode of MODES) {
    await drive(200, 4, upstream.url, { "x-api-key": "sk-bench" }, mode, "direct");
    for (const t of targets) {
      await drive(200, 4, t.url, t.headers, mode, t.name);
      sentTo[t.name] = (sentTo[t.name] ?? 0) + 200;
    }
  }
  upstream.requests.length = 0;
  const results: RunResult[] = [];
  for (let run = 0; run < runs; run++) results.push(await oneRun(upstream, targets, run, sentTo, failedAt));

  const [offload, ...peers] = targets;
  const rows: Record<string, string>[] = [];
  const figureNames: [keyof Figures, string, number][] = [
    ["addedP50", "added p50 ms", 2],
    ["addedP99", "added p99 ms", 2],
    ["perSecond", "req/s", 0],
    ["cpuMsPerRequest", "CPU ms/request", 2],
  ];
  for (const mode of MODES)
    for (const concurrency of LEVELS)
      for (const [field, label, digits] of figureNames) {
        const row: Record<string, string> = {
          figure: `${mode}, ${concurrency === 1 ? "sequential" : `${concurrency} concurrent`}: ${label}`,
        };
        const values = (name: string) => results.map((r) => r.figures.get(keyOf(mode, concurrency, name))![field]);
        for (const t of targets) row[`${t.name} min / median / max`] = spread(values(t.name), digits);
        for (const p of peers)
          row[`${offload!.name} / ${p.name}`] = (median(values(offload!.name)) / median(values(p.name))).toFixed(2);
        rows.push(row);
      }
  const rssRow: Record<string, string> = { figure: "RSS after each run's load, MiB" };
  const rss = (name: string) => results.map((r) => r.rssMiB.get(name)!);
  for (const t of targets) rssRow[`${t.name} min / median / max`] = spread(rss(t.name), 0);
  for (const p of peers)
    rssRow[`${offload!.name} / ${p.name}`] = (median(rss(offload!.name)) / median(rss(p.name))).toFixed(2);
  rows.push(rssRow);
  console.log(
    `\nGateways side by side over ${runs} run(s), min / median / max (fake Claude on loopback, the same requests; ` +
      `${LEVELS.map((c) => `${requestsAt(c)} at ${c === 1 ? "1" : c}`).join(", ")} per mode and run; targets for Offload: ` +
      `added p50 < 0.5 ms and p99 < 2 ms sequentially, at or below every peer)`,
  );
  console.table(rows);
  console.log(
    `Every answer was a 200 with the fake Claude's whole message or stream, and each answered request reached it once (${Object.entries(
      sentTo,
    )
      .map(([name, n]) => `${name}: ${n} sent, ${failedAt[name] ?? 0} failed (connection reset or closed)`)
      .join("; ")}).`,
  );
  return { sentTo };
}
