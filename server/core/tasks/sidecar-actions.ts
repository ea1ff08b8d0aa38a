// The sidecar's actions: the contract a task's `payload` follows to be run as a script, with zero
// tokens, by `offload sidecar` next to an agent. The server checks a payload against it when the
// task is queued (a bad one is a 400 naming the field); the sidecar checks it again before running.
// Which task type each action counts as (for the counterfactual Claude cost of the work) is here too.
import { z } from "zod";

const relativePath = () =>
  z
    .string({ error: "a path inside the work dir (text)" })
    .min(1, "a path inside the work dir")
    .max(4_096, "at most 4,096 characters")
    .refine((p) => !p.includes("\u0000"), "no NUL characters");

const url = z
  .string({ error: "an http(s) URL" })
  .max(8_192, "at most 8,192 characters")
  .refine((u) => {
    try {
      const parsed = new URL(u);
      return parsed.protocol === "http:" || parsed.protocol === "https:";
    } catch {
      return false;
    }
  }, "an http(s) URL");

const branchName = z
  .string({ error: "a branch name" })
  .min(1, "a branch name")
  .max(250, "at most 250 characters")
  .regex(
    /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[A-Za-z0-9._/-]+(?<![./])$/,
    "a branch name git accepts (letters, digits, . _ / -)",
  );

export const sidecarActionSchema = z.discriminatedUnion(
  "action",
  [
    z.object({
      action: z.literal("file.write"),
      path: relativePath(),
      content: z.string({ error: "the text to write" }).max(10_000_000, "at most 10,000,000 characters"),
    }),
    z.object({
      action: z.literal("file.append"),
      path: relativePath(),
      content: z.string({ error: "the text to write" }).max(10_000_000, "at most 10,000,000 characters"),
    }),
    z.object({ action: z.literal("file.read"), path: relativePath() }),
    z.object({ action: z.literal("file.list"), path: relativePath().default(".") }),
    z.object({ action: z.literal("file.rename"), from: relativePath(), to: relativePath() }),
    z.object({ action: z.literal("file.delete"), path: relativePath() }),
    z.object({ action: z.literal("git.fetch") }),
    z.object({ action: z.literal("git.checkout_new_branch"), name: branchName }),
    z.object({
      action: z.literal("git.add"),
      paths: z.array(relativePath()).min(1, "at least one path").max(1_000),
    }),
    z.object({
      action: z.literal("git.commit"),
      message: z.string({ error: "the commit message" }).min(1, "the commit message").max(100_000),
    }),
    z.object({ action: z.literal("git.push") }),
    z.object({ action: z.literal("git.status") }),
    z.object({ action: z.literal("http.get"), url }),
    z.object({ action: z.literal("http.post_json"), url, body: z.unknown() }),
  ],
  {
    error:
      "one of file.write, file.append, file.read, file.list, file.rename, file.delete, git.fetch, git.checkout_new_branch, git.add, git.commit, git.push, git.status, http.get, http.post_json",
  },
);

export type SidecarAction = z.infer<typeof sidecarActionSchema>;
export type SidecarActionName = SidecarAction["action"];

export const SIDECAR_ACTIONS: readonly SidecarActionName[] = [
  "file.write",
  "file.append",
  "file.read",
  "file.list",
  "file.rename",
  "file.delete",
  "git.fetch",
  "git.checkout_new_branch",
  "git.add",
  "git.commit",
  "git.push",
  "git.status",
  "http.get",
  "http.post_json",
];

/** True when a payload names a sidecar action (valid or not): such a task is the sidecar's. */
export function namesSidecarAction(payload: unknown): boolean {
  return (
    typeof payload === "object" &&
    payload !== null &&
    !Array.isArray(payload) &&
    typeof (payload as { action?: unknown }).action === "string" &&
    (SIDECAR_ACTIONS as readonly string[]).includes((payload as { action: string }).action)
  );
}

/** The catalogue's task type each action's work counts as (core/catalogue.ts), for its name and for
 *  the Claude cost it avoids (the type's average); the task stays in the sidecar lane whatever the type's lane. */
export function taskTypeOfAction(action: SidecarActionName): string {
  switch (action) {
    case "git.fetch":
      return "git-fetch";
    case "git.status":
      return "git-operations";
    case "git.checkout_new_branch":
    case "git.add":
    case "git.commit":
    case "git.push":
      return "git-commit-push";
    case "file.read":
    case "file.list":
      return "file-read-write";
    case "file.write":
    case "file.append":
    case "file.rename":
    case "file.delete":
      return "file-write-literal";
    case "http.get":
      return "mailbox-poll";
    case "http.post_json":
      return "mailbox-ack";
  }
}

/** What a sidecar stores as a task's result: the file content, listing, git output, or HTTP status and body. */
export type SidecarResult =
  | { action: "file.write" | "file.append"; path: string; bytes: number }
  | { action: "file.read"; path: string; content: string; bytes: number }
  | {
      action: "file.list";
      path: string;
      entries: { name: string; type: "file" | "directory" | "symlink" | "other"; bytes?: number }[];
    }
  | { action: "file.rename"; from: string; to: string }
  | { action: "file.delete"; path: string }
  | { action: `git.${string}`; exitCode: number; stdout: string; stderr: string }
  | {
      action: "http.get" | "http.post_json";
      /** The URL that answered (after redirects). */
      url: string;
      status: number;
      contentType: string | null;
      body: unknown;
      /** Set when a text body was longer than the 1 MB kept. */
      truncated?: boolean;
    };
