import type { ReactNode } from "react";
import { formatAgo } from "@/components/format";

export function PageTitle({ title, subtitle }: { title: string; subtitle?: ReactNode }) {
  return (
    <div className="mb-6">
      <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      {subtitle ? <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{subtitle}</p> : null}
    </div>
  );
}

export function Card({ children, className = "" }: { children: ReactNode; className?: string }) {
  return (
    <section
      className={`rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900 ${className}`}
    >
      {children}
    </section>
  );
}

export function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <Card>
      <div className="text-xs font-medium uppercase tracking-wide text-zinc-500">{label}</div>
      <div className="mt-1 text-2xl font-semibold tabular-nums">{value}</div>
      {hint ? <div className="mt-1 text-xs text-zinc-500">{hint}</div> : null}
    </Card>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Card className="py-10 text-center">
      <p className="font-medium">{title}</p>
      {children ? (
        <div className="mx-auto mt-2 max-w-xl text-sm text-zinc-600 dark:text-zinc-400">{children}</div>
      ) : null}
    </Card>
  );
}

export function LoadingBlock({ label }: { label: string }) {
  return (
    <div
      role="status"
      aria-live="polite"
      className="animate-pulse rounded-lg border border-zinc-200 bg-white p-8 text-sm text-zinc-500 dark:border-zinc-800 dark:bg-zinc-900"
    >
      Loading {label}…
    </div>
  );
}

const LANE_CLASS: Record<string, string> = {
  sidecar: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200",
  local: "bg-green-100 text-green-800 dark:bg-green-900/50 dark:text-green-200",
  local_careful: "bg-yellow-100 text-yellow-800 dark:bg-yellow-900/50 dark:text-yellow-200",
  claude: "bg-orange-100 text-orange-800 dark:bg-orange-900/50 dark:text-orange-200",
  none: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
};

export function Badge({ tone, children }: { tone: string; children: ReactNode }) {
  return (
    <span className={`inline-block rounded px-2 py-0.5 text-xs font-medium ${LANE_CLASS[tone] ?? LANE_CLASS.none}`}>
      {children}
    </span>
  );
}

/**
 * "2 min ago", with the exact instant on hover. Rendered on the server and again in the browser a
 * moment later, where the clock may read a minute more: the text is allowed to differ at hydration.
 */
export function Ago({ at, now = new Date() }: { at: Date | string | null; now?: Date }) {
  const when = at === null ? null : new Date(at);
  if (!when) return <span>{formatAgo(null, now)}</span>;
  const iso = when.toISOString();
  return (
    <time dateTime={iso} title={iso} suppressHydrationWarning>
      {formatAgo(when, now)}
    </time>
  );
}
