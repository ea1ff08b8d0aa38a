// A fingerprint's template as the operator reads it: monospace, with the placeholders that stand for
// what changes from one run to the next (<n>, <time>, <path>, ...) set apart.
const PLACEHOLDER = /(<[a-z]+>)/g;

export function FingerprintTemplate({ template, className = "" }: { template: string; className?: string }) {
  const parts = template.split(PLACEHOLDER);
  return (
    <span className={`font-mono ${className}`}>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <span key={i} className="rounded bg-sky-50 px-0.5 text-sky-700 dark:bg-sky-950 dark:text-sky-300">
            {part}
          </span>
        ) : (
          part
        ),
      )}
    </span>
  );
}
