// The names Offload gives an OpenClaw agent: its Offload agent id, the environment variable that holds
// its Offload key, and its own OpenClaw provider (`offload-<id>`: OpenClaw's provider credentials are
// global, so per-agent keys need per-agent providers).

/**
 * Offload's agent id rule, replicated from `agentIdSchema` in server/agents/manage-agents.ts (the core
 * may not import a service): a slug of lowercase letters, digits and inner hyphens, at most 63 characters.
 */
const OFFLOAD_ID_MAX = 63;

/** An OpenClaw agent id made a valid Offload id: lowercased, other characters as `-`, hyphens trimmed (`Ops_Bot` is `ops-bot`); `main` when nothing is left. */
export function toOffloadAgentId(openclawId: string): string {
  const slug = openclawId
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, OFFLOAD_ID_MAX)
    .replace(/-+$/, "");
  return slug || "main";
}

/** The environment variable holding an agent's Offload key: `OFFLOAD_KEY_` and the id uppercased, other characters as `_` (OpenClaw substitutes only `[A-Z_][A-Z0-9_]*`). */
export function keyEnvName(offloadId: string): string {
  return `OFFLOAD_KEY_${offloadId.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/** The OpenClaw provider id Offload writes for one agent. */
export function offloadProviderId(offloadId: string): string {
  return `offload-${offloadId}`;
}
