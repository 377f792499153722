/**
 * False-positive / false-negative report of the compare judge on samples from
 * known distributions. Run: npx tsx test/bench/analysis-judge.ts
 *
 * FP: canary and stable from the same distribution, the judge says fail.
 * FN: canary scaled by 3x or 1.2x (harmful direction `increase`), the judge says pass.
 */
import { judgeCompare } from '../../src/analysis/compare-judge.js';
import type { CompareJudgeSpec } from '../../src/analysis/compare-judge.js';
import { sampleLognormal, sampleNormal, seededRandom } from './analysis-distributions.js';
import { envInteger } from './support/env.js';

export interface RateRow {
  distribution: string;
  n: number;
  maxRatio: string;
  fp: number;
  fn3x: number;
  fn12x: number;
}

type Sampler = (rand: () => number, n: number, scale: number) => number[];

export const DISTRIBUTIONS: Record<string, Sampler> = {
  'normal(100, 15)': (rand, n, scale) => sampleNormal(rand, n, 100, 15).map((v) => v * scale),
  'lognormal(ln 100, 0.5)': (rand, n, scale) => sampleLognormal(rand, n, Math.log(100), 0.5).map((v) => v * scale),
};

/** Fraction of trials the judge fails (scale > 1 means the canary is worse). */
export function failRate(sampler: Sampler, n: number, scale: number, spec: CompareJudgeSpec, trials: number, seed: number): number {
  const rand = seededRandom(seed);
  let fails = 0;
  for (let t = 0; t < trials; t++) {
    const stable = sampler(rand, n, 1);
    const canary = sampler(rand, n, scale);
    if (judgeCompare(canary, stable, spec).verdict === 'fail') fails++;
  }
  return fails / trials;
}

export function report(trials = 1000, seed = 20250101): RateRow[] {
  const rows: RateRow[] = [];
  for (const [distribution, sampler] of Object.entries(DISTRIBUTIONS)) {
    for (const n of [10, 30, 60]) {
      for (const maxRatio of [undefined, 1.5]) {
        const spec: CompareJudgeSpec = { direction: 'increase', pValue: 0.05, ...(maxRatio ? { maxRatio } : {}) };
        rows.push({
          distribution,
          n,
          maxRatio: maxRatio === undefined ? '-' : String(maxRatio),
          fp: failRate(sampler, n, 1, spec, trials, seed),
          fn3x: 1 - failRate(sampler, n, 3, spec, trials, seed + 1),
          fn12x: 1 - failRate(sampler, n, 1.2, spec, trials, seed + 2),
        });
      }
    }
  }
  return rows;
}

function main(): void {
  const trials = envInteger('TRIALS', 1000);
  const rows = report(trials);
  const pct = (v: number): string => `${(v * 100).toFixed(1)}%`.padStart(7);
  console.log(`compare judge, direction=increase, pValue=0.05, ${trials} trials per cell, n samples per side`);
  console.log(`${'distribution'.padEnd(24)} ${'n'.padStart(3)} ${'maxRatio'.padStart(8)} ${'FP'.padStart(7)} ${'FN@3x'.padStart(7)} ${'FN@1.2x'.padStart(7)}`);
  for (const r of rows) {
    console.log(`${r.distribution.padEnd(24)} ${String(r.n).padStart(3)} ${r.maxRatio.padStart(8)} ${pct(r.fp)} ${pct(r.fn3x)} ${pct(r.fn12x)}`);
  }
  console.log('FP should sit near pValue (5%) without maxRatio and below it with one; FN@1.2x under maxRatio 1.5 is ~100% by design.');
}

if (import.meta.url === `file://${process.argv[1]}`) main();
