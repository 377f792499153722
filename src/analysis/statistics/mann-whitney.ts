import { normalCdf, normalSf } from './normal.js';

/** `greater`: x tends to be larger than y; `less`: smaller; `two-sided`: either. */
export type Alternative = 'two-sided' | 'greater' | 'less';

export interface MannWhitneyResult {
  /** U of the first sample: pairs with x > y, ties counting one half. */
  u: number;
  n1: number;
  n2: number;
  pValue: number;
  method: 'exact' | 'normal';
  /** z score of the normal approximation (with continuity correction). */
  z?: number;
  ties: boolean;
}

/** Exact p-values are cheap up to this combined sample size (counts stay below 2^53). */
const EXACT_MAX_TOTAL = 50;

interface Ranked {
  rankSumX: number;
  tieTerm: number;
}

/** Mid-ranks of the pooled sample; returns the rank sum of x and the tie term Σ(t³ − t). */
function rank(x: readonly number[], y: readonly number[]): Ranked {
  const pooled = [...x.map((v) => ({ v, fromX: true })), ...y.map((v) => ({ v, fromX: false }))];
  pooled.sort((a, b) => a.v - b.v);
  let rankSumX = 0;
  let tieTerm = 0;
  for (let i = 0; i < pooled.length;) {
    let j = i;
    while (j + 1 < pooled.length && (pooled[j + 1] as { v: number }).v === (pooled[i] as { v: number }).v) j++;
    const t = j - i + 1;
    const midRank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) if ((pooled[k] as { fromX: boolean }).fromX) rankSumX += midRank;
    if (t > 1) tieTerm += t * t * t - t;
    i = j + 1;
  }
  return { rankSumX, tieTerm };
}

const exactCache = new Map<string, Float64Array>();

/**
 * Frequencies of U for sample sizes m and n without ties: the coefficients of
 * the Gaussian binomial [m+n choose m]_q = Π_{i=1..m} (1 − q^(n+i)) / (1 − q^i).
 * Each partial product is itself a polynomial with integer coefficients.
 */
function exactDistribution(m: number, n: number): Float64Array {
  const key = `${m},${n}`;
  const hit = exactCache.get(key);
  if (hit) return hit;
  const deg = m * n;
  let poly = new Float64Array(deg + 1);
  poly[0] = 1;
  for (let i = 1; i <= m; i++) {
    const mul = new Float64Array(deg + 1);
    const shift = n + i;
    for (let k = 0; k <= deg; k++) mul[k] = (poly[k] as number) - (k >= shift ? (poly[k - shift] as number) : 0);
    for (let k = i; k <= deg; k++) mul[k] = (mul[k] as number) + (mul[k - i] as number);
    poly = mul;
  }
  exactCache.set(key, poly);
  return poly;
}

function exactPValue(u: number, m: number, n: number, alternative: Alternative): number {
  const freq = exactDistribution(m, n);
  let total = 0;
  for (const f of freq) total += f;
  const upper = (k: number): number => {
    let s = 0;
    for (let i = Math.max(0, Math.ceil(k)); i < freq.length; i++) s += freq[i] as number;
    return s / total;
  };
  const lower = (k: number): number => {
    let s = 0;
    for (let i = 0; i <= Math.min(freq.length - 1, Math.floor(k)); i++) s += freq[i] as number;
    return s / total;
  };
  if (alternative === 'greater') return upper(u);
  if (alternative === 'less') return lower(u);
  return Math.min(1, 2 * Math.min(upper(u), lower(u)));
}

/**
 * Mann-Whitney U test of x against y. Exact for small samples without ties;
 * otherwise the normal approximation with tie correction and continuity correction.
 */
export function mannWhitneyU(
  x: readonly number[],
  y: readonly number[],
  alternative: Alternative = 'two-sided',
  method: 'auto' | 'normal' = 'auto',
): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('mannWhitneyU needs at least one value in each sample');
  const { rankSumX, tieTerm } = rank(x, y);
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const ties = tieTerm > 0;
  if (method === 'auto' && !ties && n1 + n2 <= EXACT_MAX_TOTAL) {
    return { u, n1, n2, pValue: exactPValue(u, n1, n2, alternative), method: 'exact', ties };
  }
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, n1, n2, pValue: 1, method: 'normal', z: 0, ties };
  const sd = Math.sqrt(variance);
  let z: number;
  let pValue: number;
  if (alternative === 'greater') {
    z = (u - mean - 0.5) / sd;
    pValue = normalSf(z);
  } else if (alternative === 'less') {
    z = (u - mean + 0.5) / sd;
    pValue = normalCdf(z);
  } else {
    z = (Math.abs(u - mean) - 0.5) / sd;
    pValue = Math.min(1, 2 * normalSf(z));
  }
  return { u, n1, n2, pValue: Math.min(1, Math.max(0, pValue)), method: 'normal', z, ties };
}
