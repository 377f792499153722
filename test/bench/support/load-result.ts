// What one load run at a fixed rate measured, whichever generator sent it.

export interface LoadResult {
  rate: number;
  achieved: number;
  count: number;
  non200: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** The quantiles of `latencies` (ms, any order) at the target `rate`. */
export function loadResult(rate: number, achieved: number, latencies: readonly number[], non200: number): LoadResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    rate,
    achieved,
    count: sorted.length,
    non200,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    p999: quantile(sorted, 0.999),
    max: sorted.at(-1) ?? NaN,
  };
}
