// `offload sidecar`: runs next to an agent, on its host, and works the agent's task queue: claims
// the next task, runs it as a script with zero model calls (files in --workdir, git there, HTTP to
// --allow-host hosts) or escalates it to the gateway, completes it, and polls again. The agent's
// key comes from OFFLOAD_API_KEY, never from the command line (where `ps` would show it).
import fs from "node:fs";
import { agentIdSchema } from "@/server/agents/manage-agents";
import { parseAllowHost, type AllowedHost } from "@/server/sidecar/allow-hosts";
import { runSidecar } from "@/server/sidecar/run-sidecar";
import { UsageError, parse } from "./cli-support";

export const SIDECAR_USAGE = `  sidecar --agent ID --url URL --workdir DIR [--allow-host H]... [--once] [--poll-seconds N]
                                  work the agent's task queue next to it (its key in OFFLOAD_API_KEY): sidecar-lane
                                  tasks run as scripts with no model (files and git in DIR, HTTP to --allow-host
                                  hosts: host or host:port), others go to the gateway as the agent; one line per
                                  task. --once: stop when the queue is empty; else poll every N s (default 2)
                                  until SIGINT/SIGTERM, which finish the current task first`;

const DEFAULT_POLL_SECONDS = 2;

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== "string" || value.trim() === "") throw new UsageError(`sidecar needs --${name}`);
  return value.trim();
}

function urlOption(raw: string): string {
  try {
    const url = new URL(raw);
    if ((url.protocol === "http:" || url.protocol === "https:") && !url.search && !url.hash && !url.username)
      return url.href.replace(/\/+$/, "");
  } catch {
    // below
  }
  throw new UsageError(`--url must be Offload's http(s) base URL, such as http://127.0.0.1:3000, not ${raw}`);
}

function workdirOption(raw: string): string {
  let real: string;
  try {
    real = fs.realpathSync(raw);
  } catch {
    throw new UsageError(`--workdir ${raw} does not exist`);
  }
  if (!fs.statSync(real).isDirectory()) throw new UsageError(`--workdir ${raw} is not a directory`);
  return real;
}

function pollOption(raw: unknown): number {
  if (raw === undefined) return DEFAULT_POLL_SECONDS;
  const n = Number(raw);
  if (String(raw).trim() === "" || !Number.isFinite(n) || n < 0.1 || n > 3600)
    throw new UsageError("--poll-seconds must be a number of seconds from 0.1 to 3600");
  return n;
}

export async function sidecarCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    agent: { type: "string" },
    url: { type: "string" },
    workdir: { type: "string" },
    "allow-host": { type: "string", multiple: true },
    once: { type: "boolean" },
    "poll-seconds": { type: "string" },
  });
  if (positionals.length) throw new UsageError(`sidecar takes no positional arguments (got ${positionals[0]})`);
  const agent = agentIdSchema.safeParse(required(values, "agent"));
  if (!agent.success) throw new UsageError(`--agent: ${agent.error.issues[0]!.message}`);
  const url = urlOption(required(values, "url"));
  const workdir = workdirOption(required(values, "workdir"));
  const allowHosts: AllowedHost[] = ((values["allow-host"] as string[] | undefined) ?? []).map((entry) => {
    const parsed = parseAllowHost(entry);
    if (!parsed) throw new UsageError(`--allow-host takes host or host:port (no scheme or path), not ${entry}`);
    return parsed;
  });
  const pollSeconds = pollOption(values["poll-seconds"]);
  const key = process.env.OFFLOAD_API_KEY?.trim();
  if (!key)
    throw new UsageError(
      "OFFLOAD_API_KEY is not set: put the agent's Offload key there (offload agents add prints it)",
    );

  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(130); // a second signal: stop at once
    console.error(`offload sidecar: ${signal}, stopping after the current task (again to stop at once)`);
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  console.error(
    `offload sidecar: agent ${agent.data} on ${url}, work dir ${workdir}, ` +
      `${allowHosts.length ? `HTTP to ${allowHosts.map((h) => (h.port ? `${h.host}:${h.port}` : h.host)).join(", ")}` : "no HTTP hosts allowed"}` +
      `${values.once ? ", until the queue is empty" : `, polling every ${pollSeconds} s`}`,
  );
  try {
    return await runSidecar({
      conn: { url, agent: agent.data, key },
      context: { workdir, allowHosts },
      once: values.once === true,
      pollSeconds,
      signal: stop.signal,
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
