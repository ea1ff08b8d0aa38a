// A select of the catalogue's task types, grouped by lane in tier order.
import { LANES, LANE_LABEL, LANE_TIER, type Lane } from "@/server/core/lanes";

export type TaskTypeOption = { id: string; name: string; lane: Lane };

export function TaskTypeSelect({
  taskTypes,
  value,
  onChange,
  label,
  placeholder = "Choose a task type…",
  className = "",
  disabled,
}: {
  taskTypes: readonly TaskTypeOption[];
  value: string;
  onChange: (id: string) => void;
  label: string;
  placeholder?: string;
  className?: string;
  disabled?: boolean;
}) {
  return (
    <select
      aria-label={label}
      value={value}
      disabled={disabled}
      onChange={(e) => onChange(e.target.value)}
      className={`rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900 ${className}`}
    >
      <option value="" disabled>
        {placeholder}
      </option>
      <TaskTypeOptions taskTypes={taskTypes} />
    </select>
  );
}

/** The task types as options, one group per lane in tier order (for any select of task types). */
export function TaskTypeOptions({ taskTypes }: { taskTypes: readonly TaskTypeOption[] }) {
  return LANES.map((lane) => {
    const types = taskTypes.filter((t) => t.lane === lane);
    return types.length ? (
      <optgroup key={lane} label={`Tier ${LANE_TIER[lane]} · ${LANE_LABEL[lane]}`}>
        {types.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </optgroup>
    ) : null;
  });
}
