// The task queue as the sidecar speaks to it, with the agent's key: claim the agent's next task
// (`GET /api/v1/tasks/next`: 204 when there is none) and complete it (`POST /api/v1/tasks/{id}/complete`:
// 200, again 200 for the same completion repeated, 409 when the claim was lost). A completion that
// meets a network error or a 5xx is sent again, twice at most: the work is done and must be told.
import { z } from "zod";
import { LANES } from "@/server/core/lanes";
import { describeZodError } from "@/server/core/errors";
import { readErrorMessage } from "./read-error-message";

/** Seconds a claim lasts: longer than the longest action (escalation's 5-minute timeout). */
const CLAIM_LEASE_SECONDS = 900;

export type Connection = {
  /** Offload's base URL, without a trailing slash. */
  url: string;
  agent: string;
  /** The agent's Offload key (x-api-key); never printed. */
  key: string;
};

const claimedTaskSchema = z.object({
  id: z.string().min(1),
  title: z.string(),
  description: z
    .string()
    .nullish()
    .transform((d) => d ?? ""),
  taskType: z.string().nullish().default(null),
  lane: z.enum(LANES),
  model: z.string().nullish().default(null),
  agentModel: z.string().min(1),
  payload: z.unknown().optional(),
  priority: z.number().optional(),
  attempt: z.number().optional(),
  claimExpiresAt: z.string().nullish(),
});

export type ClaimedTask = z.infer<typeof claimedTaskSchema>;

/** A claimed task the sidecar cannot read (it is completed `failed` with this error). */
export type UnreadableTask = { id: string; unreadable: string };

export type Completion = {
  status: "done" | "failed";
  result?: unknown;
  error?: string;
  turns?: number;
  executedBy: "sidecar";
  escalated?: boolean;
};

/** An answer from the queue that is not what the contract says, or no answer at all. */
export class QueueError extends Error {
  override name = "QueueError";
  constructor(
    message: string,
    /** The HTTP status, or null when the server was not reached. */
    readonly status: number | null,
  ) {
    super(message);
  }
  /** Whether trying again later may help: no answer, a 5xx, 408 or 429 (not a bad key or a missing route). */
  get transient(): boolean {
    return this.status === null || this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

const QUEUE_TIMEOUT_MS = 30_000;
const COMPLETE_TRIES = 3;

const headers = (conn: Connection) => ({ "x-api-key": conn.key, accept: "application/json" });

async function request(what: string, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(QUEUE_TIMEOUT_MS) });
  } catch (err) {
    const e = err as Error & { cause?: { message?: string } };
    throw new QueueError(
      `${what}: ${e.name === "TimeoutError" ? "no answer within 30 s" : `cannot reach ${url} (${e.cause?.message ?? e.message})`}`,
      null,
    );
  }
}

/** The agent's next task, null when the queue has none (204). */
export async function claimNextTask(conn: Connection): Promise<ClaimedTask | UnreadableTask | null> {
  // A lease longer than the slowest action (a git push, an escalation: 5 minutes) so the claim outlives the work.
  const url = `${conn.url}/api/v1/tasks/next?agent=${encodeURIComponent(conn.agent)}&lease=${CLAIM_LEASE_SECONDS}`;
  const res = await request("claiming the next task", url, { headers: headers(conn) });
  if (res.status === 204) return null;
  if (res.status !== 200)
    throw new QueueError(`claiming the next task: ${res.status} ${await readErrorMessage(res)}`, res.status);
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new QueueError("claiming the next task: the answer is not JSON", res.status);
  }
  const parsed = claimedTaskSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const id = (body as { id?: unknown } | null)?.id;
  if (typeof id === "string" && id !== "")
    return { id, unreadable: `the claimed task does not follow the contract: ${describeZodError(parsed.error)}` };
  throw new QueueError(`claiming the next task: ${describeZodError(parsed.error)}`, res.status);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Completes a task: "accepted" (200), or "claim-lost" (409) with the server's message. */
export async function completeTask(
  conn: Connection,
  id: string,
  completion: Completion,
  options: { retryDelayMs?: number } = {},
): Promise<{ outcome: "accepted" } | { outcome: "claim-lost"; message: string }> {
  const url = `${conn.url}/api/v1/tasks/${encodeURIComponent(id)}/complete`;
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await request(`completing ${id}`, url, {
        method: "POST",
        headers: { ...headers(conn), "content-type": "application/json" },
        body: JSON.stringify(completion),
      });
      if (res.ok) {
        await res.body?.cancel().catch(() => undefined);
        return { outcome: "accepted" };
      }
      const message = await readErrorMessage(res);
      if (res.status === 409) return { outcome: "claim-lost", message };
      throw new QueueError(`completing ${id}: ${res.status} ${message}`, res.status);
    } catch (err) {
      if (!(err instanceof QueueError) || !err.transient || attempt >= COMPLETE_TRIES) throw err;
      await sleep((options.retryDelayMs ?? 1_000) * attempt);
    }
  }
}
