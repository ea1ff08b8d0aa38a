"use client";
// Queue a task from the dashboard (tasks.queue: routed as POST /api/v1/tasks routes it). The payload
// is JSON typed by hand: checked as it is typed, and a payload naming a sidecar action is checked by
// the server against the action's contract. A refusal shows beside the field it names.
import { useId, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { LANE_LABEL, type Lane } from "@/server/core/lanes";
import { TaskTypeOptions } from "@/components/turns/task-type-select";
import { formFieldOf, parsePayload, type FormField } from "./task-format";

const inputClass =
  "w-full rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900 aria-[invalid=true]:border-red-500";

type ServerError = { field: FormField | null; message: string };

function FieldError({ id, message }: { id: string; message: string | null }) {
  return message ? (
    <p id={id} role="alert" className="mt-1 text-xs break-words text-red-700 dark:text-red-300">
      {message}
    </p>
  ) : null;
}

export function QueueTaskForm({
  taskTypes,
  agents,
}: {
  taskTypes: readonly { id: string; name: string; lane: Lane }[];
  agents: readonly { id: string; name: string }[];
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [taskType, setTaskType] = useState("");
  const [agent, setAgent] = useState("");
  const [payloadText, setPayloadText] = useState("");
  const [serverError, setServerError] = useState<ServerError | null>(null);
  const [queued, setQueued] = useState<string | null>(null);
  const payload = parsePayload(payloadText);

  const queue = useMutation(
    trpc.tasks.queue.mutationOptions({
      onSuccess: (task) => {
        setTitle("");
        setDescription("");
        setPayloadText("");
        setQueued(
          `Queued “${task.title}”: Tier ${task.tier} · ${LANE_LABEL[task.lane]}${task.model ? ` (${task.model})` : ", no model"}.`,
        );
      },
      onError: (err) => setServerError({ field: formFieldOf(err.data?.field), message: err.message }),
      onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.tasks.overview.pathKey() }),
    }),
  );

  const errorFor = (field: FormField) => (serverError?.field === field ? serverError.message : null);
  const payloadError = payload.ok ? errorFor("payload") : `Payload: ${payload.message}`;

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setServerError(null);
    setQueued(null);
    if (!payload.ok) return;
    queue.mutate({
      title,
      ...(description.trim() ? { description } : {}),
      ...(taskType ? { taskType } : {}),
      ...(agent ? { agent } : {}),
      ...(payload.payload === undefined ? {} : { payload: payload.payload }),
    });
  };

  const field = (name: FormField) => ({
    id: `${id}-${name}`,
    "aria-invalid": (name === "payload" ? !!payloadError : !!errorFor(name)) || undefined,
    "aria-describedby": `${id}-${name}-error`,
  });

  return (
    <form aria-label="Queue a task" onSubmit={submit} noValidate className="space-y-3 text-sm">
      <div>
        <label htmlFor={`${id}-title`} className="text-xs font-medium text-zinc-600 dark:text-zinc-300">
          Title
        </label>
        <input
          {...field("title")}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          placeholder="Write the release notes to notes/release.md"
          className={`mt-1 ${inputClass}`}
        />
        <FieldError id={`${id}-title-error`} message={errorFor("title")} />
      </div>
      <div>
        <label htmlFor={`${id}-description`} className="text-xs font-medium text-zinc-600 dark:text-zinc-300">
          Description <span className="font-normal text-zinc-400">(optional)</span>
        </label>
        <textarea
          {...field("description")}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          rows={2}
          className={`mt-1 ${inputClass}`}
        />
        <FieldError id={`${id}-description-error`} message={errorFor("description")} />
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <div className="min-w-0">
          <label htmlFor={`${id}-taskType`} className="text-xs font-medium text-zinc-600 dark:text-zinc-300">
            Task type
          </label>
          <select
            {...field("taskType")}
            value={taskType}
            onChange={(e) => setTaskType(e.target.value)}
            className={`mt-1 ${inputClass}`}
          >
            <option value="">Let Offload decide</option>
            <TaskTypeOptions taskTypes={taskTypes} />
          </select>
          <FieldError id={`${id}-taskType-error`} message={errorFor("taskType")} />
        </div>
        <div className="min-w-0">
          <label htmlFor={`${id}-agent`} className="text-xs font-medium text-zinc-600 dark:text-zinc-300">
            Agent
          </label>
          <select
            {...field("agent")}
            value={agent}
            onChange={(e) => setAgent(e.target.value)}
            className={`mt-1 ${inputClass}`}
          >
            <option value="">Any agent</option>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
          <FieldError id={`${id}-agent-error`} message={errorFor("agent")} />
        </div>
      </div>
      <div>
        <label htmlFor={`${id}-payload`} className="text-xs font-medium text-zinc-600 dark:text-zinc-300">
          Payload JSON{" "}
          <span className="font-normal text-zinc-400">(optional; a sidecar action runs with no model)</span>
        </label>
        <textarea
          {...field("payload")}
          value={payloadText}
          onChange={(e) => {
            setPayloadText(e.target.value);
            if (serverError?.field === "payload") setServerError(null);
          }}
          rows={3}
          spellCheck={false}
          placeholder='{"action": "file.write", "path": "notes/release.md", "content": "…"}'
          className={`mt-1 font-mono text-xs ${inputClass}`}
        />
        <FieldError id={`${id}-payload-error`} message={payloadError} />
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <button
          type="submit"
          disabled={queue.isPending || !payload.ok}
          className="rounded-md bg-zinc-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-zinc-700 disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300"
        >
          {queue.isPending ? "Queueing…" : "Queue task"}
        </button>
        {queued ? (
          <p role="status" className="min-w-0 flex-1 text-xs break-words text-green-700 dark:text-green-300">
            {queued}
          </p>
        ) : null}
      </div>
      {serverError && serverError.field === null ? (
        <p role="alert" className="text-xs break-words text-red-700 dark:text-red-300">
          Not queued: {serverError.message}
        </p>
      ) : null}
    </form>
  );
}
