// Small statistics shared by the benches, the health figures and the smoke comparisons. Pure.

/** The p-quantile (0..1) of ascending `sorted` by nearest rank; NaN for an empty list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))]!;
}
