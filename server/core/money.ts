// Formatting of integer micro-dollars and counts for people. Arithmetic stays in bigint elsewhere.

export function microUsdToNumber(micro: bigint): number {
  return Number(micro) / 1_000_000;
}

export function formatMicroUsd(micro: bigint | null, options: { cents?: boolean } = {}): string {
  if (micro === null) return "unpriced";
  const dollars = microUsdToNumber(micro);
  const abs = Math.abs(dollars);
  // A few micro-dollars (a local answer's electricity) would read as "$0.0000".
  if (abs > 0 && abs < 0.0001) return `${dollars < 0 ? "-" : ""}<$0.0001`;
  const digits = options.cents === false ? 0 : abs > 0 && abs < 0.01 ? 4 : 2;
  return dollars.toLocaleString("en-US", {
    style: "currency",
    currency: "USD",
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

export function formatShare(part: number, whole: number): string {
  if (whole === 0) return "–";
  return `${Math.round((part / whole) * 100)}%`;
}
