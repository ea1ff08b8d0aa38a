// The `offload` command. Usage errors exit 2, refused or failed operations exit 1.
import { TRPCClientError } from "@trpc/client";
import { ZodError } from "zod";
import { env as readProcessEnv, type Env } from "@/server/process/env";
import { PINS } from "@/server/core/lanes";
import { OVER_BUDGET_ACTIONS, type OverBudgetAction } from "@/server/core/budgets/budget-rules";
import { agentIdSchema } from "@/server/agents/manage-agents";
import { UsageError, parse, table, withAdmin } from "./cli-support";
import { classifyCommand } from "./classify";
import { projectCommand } from "./project";
import { smokeCommand } from "./smoke";
import { settingsCommand } from "./settings";
import { OPENCLAW_USAGE, openclawCommand } from "./openclaw";
import { SIDECAR_USAGE, sidecarCommand } from "./sidecar";

const USAGE = `Usage: offload <command>

  agents add <id> [--name N] [--role R] [--pin none|local|claude] [--local-model M] [--claude-model M]
                  [--heartbeat-min N] [--hours N] [--budget-usd D] [--rpm N] [--over-budget refuse|downgrade]
                                  add an agent; prints its API key once, alone on the last line
  agents update <id> [--budget-usd D|none] [--rpm N|none] [--over-budget refuse|downgrade]
                                  set an agent's daily Claude budget (USD, UTC day), requests per minute, and
                                  whether its Claude turns are refused (429) or served locally once over budget
  agents list [--json]            list the agents
  agents rotate-key <id>          issue a new key (the old one stops working); prints it on the last line
  agents remove <id>              remove an agent: its key stops working, its history is kept
  classify                        read JSON lines {title, description?, taskType?, agent?} on stdin; write one
                                  decision per line: {tier, lane, model, taskType, confidence, reason}
                                  (a bad line gets {error} on its line; exit 1 if any line failed)
  project [--agents 5] [--heartbeat-min 5] [--hours 16] [--turn-cost 0.02-0.05] [--measured] [--json]
                                  what the fleet costs a day and a month on Claude, and what offloading saves;
                                  --measured projects from the fleet's last 7 days instead
  smoke --model <m> [--repeat N] [--task-timeout S] [--json]
                                  run the smoke suite on a model (ollama/qwen3:8b, anthropic/claude-opus-4-6);
                                  exit 0 when every task passed, 1 when any failed
  settings get [key] [--json]     the operator's settings (one value as JSON when a key is given)
  settings set <key> <value> [--note TEXT]
                                  change one setting, audited (the value as JSON when it parses, else as text)
${OPENCLAW_USAGE}
${SIDECAR_USAGE}
  db migrate                      apply pending database migrations
  db seed [--no-demo]             seed the catalogue, prices and settings (and the demo fleet, once)
  db rebuild-usage --from YYYY-MM-DD [--to YYYY-MM-DD]
                                  recompute the usage totals (DailyUsage and the rollups beside it) from the
                                  raw turns for those UTC days (--to: today); after a rolling upgrade
  db retire-turns                 delete the raw turns older than turnRetentionDays now (the server also
                                  does it every 10 minutes); the usage totals are kept

Environment: DATABASE_URL (Postgres) or OFFLOAD_DATA_DIR (embedded, default ./.data).
With the embedded database and a running server, commands go through the server.`;

/** Checks an agent id before any connection is made, so a typo fails at once. */
function agentId(raw: string): string {
  const parsed = agentIdSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`id: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

function intOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number`);
  return n;
}

/** --budget-usd and --rpm: a number, or "none" to remove the limit (null); undefined when not given. */
function limitOption(value: unknown, name: string): number | null | undefined {
  if (value === undefined) return undefined;
  if (String(value).trim().toLowerCase() === "none") return null;
  const n = Number(String(value).trim().replace(/^\$/, ""));
  if (String(value).trim() === "" || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number or "none"`);
  return n;
}

const LIMIT_OPTIONS = {
  "budget-usd": { type: "string" },
  rpm: { type: "string" },
  "over-budget": { type: "string" },
} as const;

/** The limit options given, as the agents API takes them (it validates the values and names the field). */
function limitsFrom(values: Record<string, unknown>) {
  const overBudget = values["over-budget"] as string | undefined;
  if (overBudget !== undefined && !(OVER_BUDGET_ACTIONS as readonly string[]).includes(overBudget))
    throw new UsageError(`--over-budget must be one of ${OVER_BUDGET_ACTIONS.join(", ")}`);
  return {
    dailyBudgetUsd: limitOption(values["budget-usd"], "budget-usd"),
    requestsPerMinute: limitOption(values.rpm, "rpm"),
    overBudget: overBudget as OverBudgetAction | undefined,
  };
}

const usd = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 6 })}`;

function describeLimits(a: { dailyBudgetUsd: number | null; requestsPerMinute: number | null; overBudget: string }) {
  return `${a.dailyBudgetUsd === null ? "no daily Claude budget" : `daily Claude budget ${usd(a.dailyBudgetUsd)} (over it: ${a.overBudget})`}, ${a.requestsPerMinute === null ? "no request limit" : `${a.requestsPerMinute} requests/min`}`;
}

async function agentsCommand(env: Env, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "add": {
      const { values, positionals } = parse(rest, {
        name: { type: "string" },
        role: { type: "string" },
        pin: { type: "string" },
        "local-model": { type: "string" },
        "claude-model": { type: "string" },
        "heartbeat-min": { type: "string" },
        hours: { type: "string" },
        ...LIMIT_OPTIONS,
      });
      if (positionals.length !== 1) throw new UsageError("agents add takes exactly one agent id");
      const limits = limitsFrom(values);
      const pin = values.pin as string | undefined;
      if (pin !== undefined && !(PINS as readonly string[]).includes(pin))
        throw new UsageError(`--pin must be one of ${PINS.join(", ")}`);
      const result = await withAdmin(env, ({ client }) =>
        client.agents.add.mutate({
          id: agentId(positionals[0]!),
          name: values.name as string | undefined,
          role: values.role as string | undefined,
          pin: pin as (typeof PINS)[number] | undefined,
          localModel: values["local-model"] as string | undefined,
          claudeModel: values["claude-model"] as string | undefined,
          heartbeatMinutes: intOption(values["heartbeat-min"], "heartbeat-min"),
          activeHours: intOption(values.hours, "hours"),
          ...limits,
        }),
      );
      const a = result.agent;
      console.log(
        `Added agent ${a.id} (pin ${a.pin}; local ${a.localModel}, Claude ${a.claudeModel}; ${describeLimits(a)}).`,
      );
      console.log("Its API key, shown this once (send it as x-api-key or Authorization: Bearer):");
      console.log(result.key);
      return 0;
    }
    case "update": {
      const { values, positionals } = parse(rest, LIMIT_OPTIONS);
      if (positionals.length !== 1) throw new UsageError("agents update takes exactly one agent id");
      const limits = limitsFrom(values);
      if (Object.values(limits).every((v) => v === undefined))
        throw new UsageError("agents update needs at least one of --budget-usd, --rpm, --over-budget");
      const a = await withAdmin(env, ({ client }) =>
        client.agents.updateLimits.mutate({ id: agentId(positionals[0]!), ...limits }),
      );
      console.log(`Updated agent ${a.id}: ${describeLimits(a)}.`);
      return 0;
    }
    case "list": {
      const { values, positionals } = parse(rest, { json: { type: "boolean" } });
      if (positionals.length) throw new UsageError("agents list takes no arguments");
      const agents = await withAdmin(env, ({ client }) => client.agents.list.query());
      if (values.json) {
        for (const a of agents) console.log(JSON.stringify(a));
        return 0;
      }
      if (agents.length === 0) {
        console.log("No agents. Add one with: offload agents add <id>");
        return 0;
      }
      console.log(
        table([
          ["ID", "NAME", "PIN", "LOCAL MODEL", "CLAUDE MODEL", "KEY", "LAST SEEN", "BUDGET/DAY", "RPM"],
          ...agents.map((a) => [
            a.id,
            a.name,
            a.pin,
            a.localModel,
            a.claudeModel,
            a.keyPrefix ? `${a.keyPrefix}…` : "(none)",
            a.lastSeenAt ? new Date(a.lastSeenAt).toISOString() : "never",
            a.dailyBudgetUsd === null ? "-" : `${usd(a.dailyBudgetUsd)} ${a.overBudget}`,
            a.requestsPerMinute === null ? "-" : String(a.requestsPerMinute),
          ]),
        ]),
      );
      return 0;
    }
    case "rotate-key": {
      const { positionals } = parse(rest);
      if (positionals.length !== 1) throw new UsageError("agents rotate-key takes exactly one agent id");
      const result = await withAdmin(env, ({ client }) =>
        client.agents.rotateKey.mutate({ id: agentId(positionals[0]!) }),
      );
      console.log(`New key for ${result.agent.id}; the previous key no longer works. Shown this once:`);
      console.log(result.key);
      return 0;
    }
    case "remove": {
      const { positionals } = parse(rest);
      if (positionals.length !== 1) throw new UsageError("agents remove takes exactly one agent id");
      const result = await withAdmin(env, ({ client }) =>
        client.agents.remove.mutate({ id: agentId(positionals[0]!) }),
      );
      console.log(
        result.turnsRetainedFrom
          ? `Removed agent ${result.id}: its key no longer works; its ${result.turnsKept} turns since ${result.turnsRetainedFrom} stay (older turns were retired; its daily totals stay in the history).`
          : `Removed agent ${result.id}: its key no longer works; its ${result.turnsKept} turns stay in the history.`,
      );
      return 0;
    }
    default:
      throw new UsageError(
        sub ? `unknown agents command: ${sub}` : "agents needs a command: add, update, list, rotate-key or remove",
      );
  }
}

async function dbCommand(env: Env, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "migrate") {
    parse(rest);
    const report = await withAdmin(env, ({ client }) => client.system.migrate.mutate());
    for (const w of report.warnings) console.warn(`warning: ${w}`);
    console.log(
      report.applied.length
        ? `Applied ${report.applied.join(", ")}.`
        : `Up to date (${report.alreadyApplied.length} migrations applied).`,
    );
    return 0;
  }
  if (sub === "seed") {
    const { values } = parse(rest, { "no-demo": { type: "boolean" } });
    const r = await withAdmin(env, ({ client }) => client.system.seed.mutate({ demo: !values["no-demo"] }));
    console.log(
      `Seeded ${r.taskTypes} task types, ${r.prices} prices, ${r.settings} settings` +
        (values["no-demo"]
          ? " (no demo fleet)."
          : r.demoAgents
            ? `, and the demo fleet (${r.demoAgents} agents, ${r.demoTurns} turns).`
            : "; the demo fleet was seeded before or agents exist, so it was left alone."),
    );
    return 0;
  }
  if (sub === "rebuild-usage") {
    const { values } = parse(rest, { from: { type: "string" }, to: { type: "string" } });
    if (values.from === undefined) throw new UsageError("db rebuild-usage needs --from YYYY-MM-DD");
    const to = (values.to as string | undefined) ?? new Date().toISOString().slice(0, 10);
    const r = await withAdmin(env, ({ client }) =>
      client.system.rebuildUsage.mutate({ from: values.from as string, to }),
    );
    if (r.rebuilt) {
      const last = new Date(Date.parse(`${r.rebuilt.to}T00:00:00.000Z`) - 86_400_000).toISOString().slice(0, 10);
      console.log(`Rebuilt the usage totals of ${r.rebuilt.from} to ${last} (UTC days) from the raw turns.`);
    } else console.log("Nothing rebuilt: every day asked is before the retained day.");
    if (r.retiredBefore)
      console.log(`Days before ${r.retiredBefore} have no raw turns left (turnRetentionDays): their totals were kept.`);
    return 0;
  }
  if (sub === "retire-turns") {
    parse(rest);
    const r = await withAdmin(env, ({ client }) => client.system.retireTurnsNow.mutate());
    if (r.status === "off") console.log("turnRetentionDays is 0: every turn is kept, none retired.");
    else if (r.status === "busy") console.log("Another run is under way (this or another instance): it retires them.");
    else
      console.log(
        `Retired ${r.retired} turns from before ${r.retainedFrom} (UTC) in ${r.batches} batches` +
          (r.stopped ? "; the server is stopping, the rest waits for the next run." : "."),
      );
    return 0;
  }
  throw new UsageError(
    sub ? `unknown db command: ${sub}` : "db needs a command: migrate, seed, rebuild-usage or retire-turns",
  );
}

async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  try {
    // The sidecar runs on the agent's host: Offload's own environment (its database) is none of its business.
    if (command === "sidecar") return await sidecarCommand(rest);
    const env = readProcessEnv();
    switch (command) {
      case "agents":
        return await agentsCommand(env, rest);
      case "db":
        return await dbCommand(env, rest);
      case "classify":
        return await classifyCommand(env, rest);
      case "project":
        return await projectCommand(env, rest);
      case "smoke":
        return await smokeCommand(env, rest);
      case "settings":
        return await settingsCommand(env, rest);
      case "openclaw":
        return await openclawCommand(env, rest);
      default:
        throw new UsageError(`unknown command: ${command}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`offload: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof TRPCClientError || err instanceof ZodError || err instanceof Error) {
      console.error(
        `offload: ${err instanceof ZodError ? err.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") : err.message}`,
      );
      return 1;
    }
    console.error(`offload: ${String(err)}`);
    return 1;
  }
}

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`offload: ${(err as Error).message}`);
    process.exit(1);
  },
);
