// `npm run bench -- --json-limits`: what the agent endpoints' JSON shape check (server/http/json-limits.ts)
// costs on the bodies the real clients sent (e2e/clients/captures), beside JSON.parse of the same
// bytes, which every such request pays anyway, measured in the same run.
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { checkJsonLimits } from "@/server/http/json-limits";
import { BODY_LIMITS } from "@/server/http/read-request-body";
import { percentile as pct } from "@/server/core/stats";

const CAPTURES = path.resolve(import.meta.dirname, "..", "..", "e2e", "clients", "captures");
const ROUNDS = 500;

/** Each call's time in microseconds, sorted; the first rounds warm the code up. */
function sampleUs(fn: () => unknown): number[] {
  for (let i = 0; i < 200; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    fn();
    times.push((performance.now() - t) * 1000);
  }
  return times.sort((a, b) => a - b);
}

export function benchJsonLimits(): void {
  const decoder = new TextDecoder();
  const rows = fs
    .readdirSync(CAPTURES)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => {
      const { requests } = JSON.parse(fs.readFileSync(path.join(CAPTURES, name), "utf8")) as {
        requests: { body: unknown }[];
      };
      // The largest request the client sent in that capture.
      const bytes = requests
        .map((r) => new TextEncoder().encode(JSON.stringify(r.body)))
        .reduce((a, b) => (b.byteLength > a.byteLength ? b : a));
      const check = sampleUs(() => checkJsonLimits(bytes, BODY_LIMITS.messages.json));
      const parse = sampleUs(() => JSON.parse(decoder.decode(bytes)));
      return {
        capture: name.replace(/\.json$/, ""),
        "body KB": (bytes.byteLength / 1024).toFixed(0),
        "check p50 us": pct(check, 0.5).toFixed(0),
        "check p99 us": pct(check, 0.99).toFixed(0),
        "baseline: decode + JSON.parse p50 us": pct(parse, 0.5).toFixed(0),
        "check / baseline": (pct(check, 0.5) / pct(parse, 0.5)).toFixed(2),
      };
    });
  console.log(`\nJSON shape check on the real clients' largest requests, ${ROUNDS} calls each`);
  console.table(rows);
}
