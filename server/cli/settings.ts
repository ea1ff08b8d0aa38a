// `offload settings get [key]` and `offload settings set <key> <value>`: the operator's settings
// (local context, keep-alive, escalation switches, electricity, heartbeat patterns...), read and
// changed through the same admin API as the dashboard, so a change is validated field by field, audited
// (as the CLI, with `--note` kept beside it; the Settings page lists it and can undo it) and reaches
// the gateway's next turn. A value is read as JSON when it parses (numbers, true/false,
// lists), else as text: `offload settings set defaultLocalModel qwen3:14b`.
import { UsageError, parse, table, withAdmin } from "./cli-support";
import type { Env } from "@/server/process/env";

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function knownKey(settings: Record<string, unknown>, key: string): string {
  if (key in settings) return key;
  throw new UsageError(`unknown setting: ${key} (one of ${Object.keys(settings).sort().join(", ")})`);
}

export async function settingsCommand(env: Env, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "get") {
    const { positionals, values } = parse(rest, { json: { type: "boolean" } });
    if (positionals.length > 1) throw new UsageError("settings get takes at most one key");
    const settings = (await withAdmin(env, ({ client }) => client.system.settings.query())) as Record<string, unknown>;
    if (positionals.length === 1) {
      console.log(JSON.stringify(settings[knownKey(settings, positionals[0]!)]));
      return 0;
    }
    if (values.json) {
      console.log(JSON.stringify(settings));
      return 0;
    }
    const keys = Object.keys(settings).sort();
    console.log(table([["SETTING", "VALUE"], ...keys.map((k) => [k, JSON.stringify(settings[k])])]));
    return 0;
  }
  if (sub === "set") {
    const { positionals, values } = parse(rest, { note: { type: "string" } });
    if (positionals.length !== 2) throw new UsageError("settings set takes a key and a value");
    const [key, raw] = positionals as [string, string];
    const updated = await withAdmin(env, async ({ client }) => {
      knownKey((await client.system.settings.query()) as Record<string, unknown>, key);
      return client.system.updateSettings.mutate({
        [key]: parseValue(raw),
        ...(typeof values.note === "string" && values.note ? { note: values.note } : {}),
      });
    });
    const value = JSON.stringify((updated.settings as Record<string, unknown>)[key]);
    console.log(`${key} = ${value}${updated.changes.length === 0 ? " (unchanged)" : ""}`);
    return 0;
  }
  throw new UsageError(sub ? `unknown settings command: ${sub}` : "settings needs a command: get or set");
}
