// `offload classify`: JSON lines in, one routing decision per line out, in order. A line that is not
// a JSON object, or that the server refuses, gets {"error": ...} on its line and the rest go on.
import { UsageError, parse, withAdmin } from "./cli-support";
import type { Env } from "@/server/process/env";

const BATCH = 1_000;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY)
    throw new UsageError(
      'classify reads JSON lines on standard input, e.g. echo \'{"title":"is the tree clean?"}\' | offload classify',
    );
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

type Slot = { item: unknown } | { error: string };

export async function classifyCommand(env: Env, args: string[]): Promise<number> {
  const { positionals } = parse(args);
  if (positionals.length) throw new UsageError("classify takes no arguments; it reads JSON lines on standard input");
  // Blank lines are skipped; line numbers in errors are the input's own.
  const lines = (await readStdin())
    .split(/\r?\n/)
    .map((text, i) => ({ text, number: i + 1 }))
    .filter((l) => l.text.trim() !== "");
  const slots: (Slot & { number: number })[] = lines.map(({ text: line, number }) => {
    const i = number - 1;
    try {
      const item: unknown = JSON.parse(line);
      if (typeof item !== "object" || item === null || Array.isArray(item))
        return { error: `line ${i + 1}: expected a JSON object`, number };
      return { item, number };
    } catch (err) {
      return { error: `line ${i + 1}: not valid JSON (${(err as Error).message})`, number };
    }
  });
  const items = slots.flatMap((s) => ("item" in s ? [s.item] : []));
  const results = items.length
    ? await withAdmin(env, async ({ client }) => {
        const all = [];
        for (let i = 0; i < items.length; i += BATCH)
          all.push(...(await client.routing.decideMany.mutate({ items: items.slice(i, i + BATCH) })));
        return all;
      })
    : [];
  let next = 0;
  let failed = 0;
  const out: string[] = [];
  for (const slot of slots) {
    if ("error" in slot) {
      failed++;
      out.push(JSON.stringify({ error: slot.error }));
      continue;
    }
    const r = results[next++]!;
    if ("error" in r) {
      failed++;
      out.push(JSON.stringify({ error: `line ${slot.number}: ${r.error}` }));
    } else {
      const d = r.decision;
      out.push(
        JSON.stringify({
          tier: d.tier,
          lane: d.lane,
          model: d.model,
          taskType: d.taskType,
          confidence: d.confidence,
          reason: d.reason,
        }),
      );
    }
  }
  if (out.length) process.stdout.write(`${out.join("\n")}\n`);
  return failed ? 1 : 0;
}
