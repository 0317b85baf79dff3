/**
 * Percentile of sorted values with linear interpolation between closest ranks
 * (the median of an even count is the mean of the two middle values). Null when empty.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = (sorted.length - 1) * p;
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return round(a + (b - a) * (rank - lo));
}

/** Two decimals: durations are exact minutes, percentiles may fall between them. */
export function round(n: number): number {
  return Math.round(n * 100) / 100;
}
