/** Effect sizes for canary-vs-stable comparisons. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

function ratio(a: number, b: number): number {
  if (b === 0) return a === 0 ? 1 : a > 0 ? Infinity : -Infinity;
  return a / b;
}

/**
 * canary/stable ratio of medians, robust to the outliers latency has. When both
 * medians are 0 (error rates that are mostly zero) the medians say nothing, so
 * the ratio of means is used instead.
 */
export function ratioOfMedians(canary: readonly number[], stable: readonly number[]): number {
  const mc = median(canary);
  const ms = median(stable);
  if (mc === 0 && ms === 0) return ratio(mean(canary), mean(stable));
  return ratio(mc, ms);
}

/** Pairs beyond which the Hodges-Lehmann shift is estimated on a strided subsample. */
const HL_MAX_PAIRS = 250_000;

/**
 * Hodges-Lehmann estimate of the location shift: the median of all pairwise
 * differences canary_i − stable_j (positive: the canary is higher).
 */
export function hodgesLehmannShift(canary: readonly number[], stable: readonly number[]): number {
  if (canary.length === 0 || stable.length === 0) return NaN;
  const stride = Math.max(1, Math.ceil(Math.sqrt((canary.length * stable.length) / HL_MAX_PAIRS)));
  const diffs: number[] = [];
  for (let i = 0; i < canary.length; i += stride) {
    for (let j = 0; j < stable.length; j += stride) diffs.push((canary[i] as number) - (stable[j] as number));
  }
  return median(diffs);
}

function countBelow(sorted: readonly number[], v: number, inclusive: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const s = sorted[mid] as number;
    if (s < v || (inclusive && s === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Cliff's delta: P(canary > stable) − P(canary < stable), in [−1, 1].
 * |δ| < 0.147 negligible, < 0.33 small, < 0.474 medium, else large (Romano et al.).
 */
export function cliffsDelta(canary: readonly number[], stable: readonly number[]): number {
  if (canary.length === 0 || stable.length === 0) return NaN;
  const s = [...stable].sort((a, b) => a - b);
  let more = 0;
  let less = 0;
  for (const c of canary) {
    const below = countBelow(s, c, false);
    const belowOrEqual = countBelow(s, c, true);
    more += below;
    less += s.length - belowOrEqual;
  }
  return (more - less) / (canary.length * stable.length);
}
