// The four lanes, their tiers and their names, as the rest of the product speaks of them.

export const LANES = ["sidecar", "local", "local_careful", "claude"] as const;
export type Lane = (typeof LANES)[number];

export const PINS = ["none", "local", "claude"] as const;
export type Pin = (typeof PINS)[number];

export const LANE_TIER: Record<Lane, 0 | 1 | 2 | 3> = { sidecar: 0, local: 1, local_careful: 2, claude: 3 };

export const LANE_LABEL: Record<Lane, string> = {
  sidecar: "Sidecar",
  local: "Local",
  local_careful: "Local with care",
  claude: "Claude",
};

export const LANE_SERVED_BY: Record<Lane, string> = {
  sidecar: "no model: a script on the agent's host",
  local: "local model",
  local_careful: "local model, checked; escalates to Claude",
  claude: "Claude",
};

/** Lanes whose turns a local model serves (a sidecar task that reaches the gateway is served locally). */
export function isLocalLane(lane: Lane): boolean {
  return lane !== "claude";
}

export function isLane(value: string): value is Lane {
  return (LANES as readonly string[]).includes(value);
}
