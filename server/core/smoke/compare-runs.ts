// Statistics for smoke runs, pure: a pass rate with its 95% Wilson score interval (sound for
// small counts and for 0/n or n/n, unlike the normal approximation).

export function passRateInterval(passed: number, total: number, z = 1.96): { rate: number; low: number; high: number } {
  if (total <= 0) return { rate: 0, low: 0, high: 0 };
  const p = passed / total;
  const z2 = z * z;
  const denom = 1 + z2 / total;
  const centre = (p + z2 / (2 * total)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total))) / denom;
  return { rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
