// `offload smoke --model <m> [--repeat N] [--json]`: runs the smoke suite on a model (through the
// running server, or in this process), with a progress bar on a terminal and a table at the end.
// Exit 0 when every task passed, 1 when any failed, 2 for a usage or configuration error.
import { TRPCClientError } from "@trpc/client";
import { UsageError, parse, table, withAdmin } from "./cli-support";
import type { Env } from "@/server/process/env";
import { formatMicroUsd } from "@/server/core/money";
import { isLiveRun, summariseRun } from "@/server/core/smoke/compare-runs";
import { SMOKE_MAX_REPEAT } from "@/server/core/smoke/smoke-limits";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function smokeCommand(env: Env, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    model: { type: "string" },
    repeat: { type: "string" },
    json: { type: "boolean" },
    "task-timeout": { type: "string" },
  });
  if (positionals.length) throw new UsageError(`smoke takes no positional arguments (got ${positionals.join(" ")})`);
  const model = values.model as string | undefined;
  if (!model)
    throw new UsageError("smoke needs --model, e.g. --model ollama/qwen3:8b or --model anthropic/claude-opus-4-6");
  const repeat = values.repeat === undefined ? 1 : Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > SMOKE_MAX_REPEAT)
    throw new UsageError(
      `--repeat must be a whole number from 1 to ${SMOKE_MAX_REPEAT}, got "${String(values.repeat)}"`,
    );
  const timeout = values["task-timeout"] === undefined ? undefined : Number(values["task-timeout"]);
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1 || timeout > 600))
    throw new UsageError(`--task-timeout must be seconds from 1 to 600`);
  const json = values.json === true;
  const tty = !json && process.stderr.isTTY;

  return withAdmin(env, async ({ client }) => {
    let runId: string;
    try {
      runId = (await client.smoke.start.mutate({ model, repeat, taskTimeoutSeconds: timeout })).runId;
    } catch (err) {
      // The model or the configuration is wrong (no key, bad name): a usage error.
      if (err instanceof TRPCClientError && err.data?.code === "BAD_REQUEST") throw new UsageError(err.message);
      throw err;
    }
    // Ctrl-C cancels the run (and its spending) instead of leaving it running on the server.
    let interrupted = false;
    const onSigint = () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      if (tty) process.stderr.write("\ncancelling (Ctrl-C again to leave it running)…\n");
      client.smoke.cancel.mutate({ id: runId }).catch(() => undefined);
    };
    process.on("SIGINT", onSigint);
    let run = await client.smoke.run.query({ id: runId });
    let shown = -1;
    try {
      while (isLiveRun(run.status)) {
        const done = run.results.length;
        if (tty && done !== shown) {
          const width = 30;
          const filled = Math.round((done / run.total) * width);
          process.stderr.write(
            `\r${run.model} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${run.total} · ${run.passed} passed${run.results.at(-1) ? ` · ${run.results.at(-1)!.task}` : ""}   `,
          );
          shown = done;
        }
        await sleep(250);
        run = await client.smoke.run.query({ id: runId });
      }
    } finally {
      process.off("SIGINT", onSigint);
    }
    if (tty) process.stderr.write("\n");
    const results = run.results.map((r) => ({
      task: r.task,
      capability: r.capability,
      passed: r.passed,
      reason: r.reason,
      latencyMs: r.latencyMs,
      tokens: r.inputTokens + r.outputTokens,
      costMicroUsd: r.costMicroUsd === null ? null : Number(r.costMicroUsd),
    }));
    if (run.status === "error") {
      if (json)
        console.log(
          JSON.stringify({
            model: run.model,
            status: run.status,
            error: run.error,
            passed: run.passed,
            total: run.total,
            results,
          }),
        );
      // An early stop ("stopped: 3 consecutive timeouts ...") or an error: what was answered stays in the run.
      console.error(`offload: the smoke run failed: ${run.error ?? "unknown error"}`);
      return 1;
    }
    if (json) {
      console.log(
        JSON.stringify({ model: run.model, status: run.status, passed: run.passed, total: run.total, results }),
      );
    } else {
      console.log(
        table(
          [
            ["TASK", "CAPABILITY", ...(repeat > 1 ? ["RUN"] : []), "RESULT", "LATENCY", "TOKENS", "COST", "REASON"],
            ...run.results.map((r) => [
              r.task,
              r.capability,
              ...(repeat > 1 ? [String(r.iteration + 1)] : []),
              r.passed ? "pass" : "FAIL",
              `${r.latencyMs.toLocaleString("en-US")} ms`,
              (r.inputTokens + r.outputTokens).toLocaleString("en-US"),
              formatMicroUsd(r.costMicroUsd),
              r.reason,
            ]),
          ],
          repeat > 1 ? [3, 4, 5, 6] : [3, 4, 5],
        ),
      );
      const summary = summariseRun(run.results);
      const o = summary.overall;
      console.log(
        `\n${run.model}: ${o.passed}/${o.answers} passed (${Math.round(o.rate * 100)}%, 95% interval ${Math.round(o.low * 100)}-${Math.round(o.high * 100)}%), ${formatMicroUsd(o.costPerRunMicroUsd)} a run, ${formatMicroUsd(o.costPer1000RunsMicroUsd)} per 1,000 runs${run.status === "cancelled" ? " · cancelled" : ""}`,
      );
      if (repeat > 1) {
        const flips = Object.entries(summary.byTask)
          .filter(([, t]) => t.flips)
          .map(([task, t]) => `${task} (${t.passed}/${t.answers})`);
        console.log(flips.length ? `Tasks that flip between runs: ${flips.join(", ")}` : "No task flips between runs.");
      }
    }
    return run.status === "passed" ? 0 : 1;
  });
}
