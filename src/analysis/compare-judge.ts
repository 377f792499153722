import { formatValue } from './conditions.js';
import { cliffsDelta, hodgesLehmannShift, median, ratioOfMedians } from './statistics/effect-size.js';
import { mannWhitneyU } from './statistics/mann-whitney.js';
import type { Alternative } from './statistics/mann-whitney.js';
import type { CompareDirection } from './types.js';

/**
 * Kayenta-style judge of canary samples against stable (or baseline) samples
 * taken over the same window. A metric fails only when both hold:
 *  - the Mann-Whitney U test finds the canary shifted in the harmful direction
 *    (one-sided for `increase`/`decrease`, two-sided for `either`) at `pValue`;
 *  - the effect exceeds the tolerated bound: the canary/stable ratio of medians
 *    is above `maxRatio` (below 1/maxRatio for a decrease); without `maxRatio`
 *    any significant shift in the harmful direction (Hodges-Lehmann sign) fails.
 * So a canary at 3x the stable latency fails even when both sit under an
 * absolute threshold, while a statistically detectable 2% drift under
 * `maxRatio: 1.2` passes. Fewer than `MIN_SAMPLES` per side is inconclusive.
 *
 * Caveat (as in Kayenta): points of a range query are autocorrelated, not
 * independent, so the nominal p-value is optimistic; the effect bound is what
 * keeps that from failing healthy canaries.
 */

export const MIN_SAMPLES = 5;
export const DEFAULT_P_VALUE = 0.05;

export interface CompareJudgeSpec {
  direction: CompareDirection;
  maxRatio?: number;
  pValue?: number;
}

export interface CompareEffect {
  canaryMedian: number;
  stableMedian: number;
  /** canary/stable ratio of medians (of means when both medians are 0). */
  ratio: number;
  /** Hodges-Lehmann shift, canary minus stable. */
  shift: number;
  cliffsDelta: number;
}

export interface CompareVerdict {
  verdict: 'pass' | 'fail' | 'inconclusive';
  pValue?: number;
  effect?: CompareEffect;
  canaryCount: number;
  stableCount: number;
  message: string;
}

const ALTERNATIVE: Record<CompareDirection, Alternative> = { increase: 'greater', decrease: 'less', either: 'two-sided' };

function fmtP(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : String(Number(p.toPrecision(2)));
}

function harmful(direction: CompareDirection, effect: CompareEffect, maxRatio: number | undefined): boolean {
  if (maxRatio === undefined) {
    if (direction === 'increase') return effect.shift > 0;
    if (direction === 'decrease') return effect.shift < 0;
    return effect.shift !== 0;
  }
  const up = effect.ratio > maxRatio;
  const down = effect.ratio < 1 / maxRatio;
  return direction === 'increase' ? up : direction === 'decrease' ? down : up || down;
}

function bound(direction: CompareDirection, maxRatio: number | undefined): string {
  if (maxRatio === undefined) return `any ${direction === 'either' ? 'change' : direction}`;
  const inv = formatValue(1 / maxRatio);
  if (direction === 'increase') return `max ratio ${formatValue(maxRatio)}`;
  if (direction === 'decrease') return `min ratio ${inv}`;
  return `ratio within [${inv}, ${formatValue(maxRatio)}]`;
}

export function judgeCompare(canaryIn: readonly number[], stableIn: readonly number[], spec: CompareJudgeSpec): CompareVerdict {
  const canary = canaryIn.filter(Number.isFinite);
  const stable = stableIn.filter(Number.isFinite);
  const dropped = canaryIn.length - canary.length + stableIn.length - stable.length;
  const dropNote = dropped > 0 ? `, ${dropped} non-finite samples ignored` : '';
  const counts = { canaryCount: canary.length, stableCount: stable.length };
  if (canary.length < MIN_SAMPLES || stable.length < MIN_SAMPLES) {
    return {
      verdict: 'inconclusive',
      ...counts,
      message: `too few samples to compare: canary ${canary.length}, stable ${stable.length} (need ${MIN_SAMPLES} each${dropNote})`,
    };
  }
  const alpha = spec.pValue ?? DEFAULT_P_VALUE;
  const test = mannWhitneyU(canary, stable, ALTERNATIVE[spec.direction]);
  const effect: CompareEffect = {
    canaryMedian: median(canary),
    stableMedian: median(stable),
    ratio: ratioOfMedians(canary, stable),
    shift: hodgesLehmannShift(canary, stable),
    cliffsDelta: cliffsDelta(canary, stable),
  };
  const significant = test.pValue < alpha;
  const beyond = harmful(spec.direction, effect, spec.maxRatio);
  const verdict = significant && beyond ? 'fail' : 'pass';
  const why = !significant
    ? `not significant (p=${fmtP(test.pValue)} >= ${alpha})`
    : beyond
      ? `significant (p=${fmtP(test.pValue)} < ${alpha}) and beyond ${bound(spec.direction, spec.maxRatio)}`
      : `significant (p=${fmtP(test.pValue)} < ${alpha}) but within ${bound(spec.direction, spec.maxRatio)}`;
  const message =
    `canary median ${formatValue(effect.canaryMedian)} vs stable median ${formatValue(effect.stableMedian)} ` +
    `(ratio ${formatValue(effect.ratio)}, direction ${spec.direction}, ${canary.length}/${stable.length} samples${dropNote}): ${why}`;
  return { verdict, pValue: test.pValue, effect, ...counts, message };
}
