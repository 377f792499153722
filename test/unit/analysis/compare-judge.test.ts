import { describe, expect, it } from 'vitest';
import { judgeCompare } from '../../../src/analysis/compare-judge.js';
import { DISTRIBUTIONS, failRate } from '../../bench/analysis-judge.js';
import { sampleLognormal, seededRandom } from '../../bench/analysis-distributions.js';

const rand = seededRandom(1234);
const stableLatency = sampleLognormal(rand, 40, Math.log(0.01), 0.2);
const threeX = sampleLognormal(rand, 40, Math.log(0.03), 0.2);
const same = sampleLognormal(rand, 40, Math.log(0.01), 0.2);

describe('judgeCompare', () => {
  it('fails a canary at 3x the stable latency even under an absolute threshold', () => {
    const threshold = 0.1; // both sides comfortably pass `result < 0.1`
    expect(Math.max(...threeX, ...stableLatency)).toBeLessThan(threshold);
    const v = judgeCompare(threeX, stableLatency, { direction: 'increase', maxRatio: 1.5 });
    expect(v.verdict).toBe('fail');
    expect(v.effect?.ratio).toBeGreaterThan(2.5);
    expect(v.pValue).toBeLessThan(1e-6);
    expect(v.message).toMatch(/ratio [23]\.\d+, direction increase, 40\/40 samples\): significant .* beyond max ratio 1\.5/);
  });

  it('passes a canary from the same distribution', () => {
    expect(judgeCompare(same, stableLatency, { direction: 'increase', maxRatio: 1.5 }).verdict).toBe('pass');
  });

  it('is inconclusive with fewer than 5 samples a side', () => {
    const v = judgeCompare(threeX.slice(0, 4), stableLatency, { direction: 'increase' });
    expect(v.verdict).toBe('inconclusive');
    expect(v.message).toBe('too few samples to compare: canary 4, stable 40 (need 5 each)');
  });

  it('ignores NaN samples and says so', () => {
    const v = judgeCompare([...threeX.slice(0, 4), NaN, NaN], stableLatency, { direction: 'increase' });
    expect(v.verdict).toBe('inconclusive');
    expect(v.message).toMatch(/2 non-finite samples ignored/);
  });

  it.each([
    ['increase', 'lower canary', 'pass'],
    ['decrease', 'lower canary', 'fail'],
    ['either', 'lower canary', 'fail'],
    ['increase', 'higher canary', 'fail'],
    ['decrease', 'higher canary', 'pass'],
    ['either', 'higher canary', 'fail'],
  ] as const)('direction %s, %s -> %s', (direction, which, verdict) => {
    const canary = which === 'higher canary' ? threeX : stableLatency;
    const stable = which === 'higher canary' ? stableLatency : threeX;
    expect(judgeCompare(canary, stable, { direction, maxRatio: 1.5 }).verdict).toBe(verdict);
  });

  it('a significant shift within maxRatio passes', () => {
    const r = seededRandom(5);
    const stable = sampleLognormal(r, 200, Math.log(100), 0.05);
    const canary = sampleLognormal(r, 200, Math.log(110), 0.05);
    const v = judgeCompare(canary, stable, { direction: 'increase', maxRatio: 1.2 });
    expect(v.verdict).toBe('pass');
    expect(v.message).toMatch(/significant .* but within max ratio 1\.2/);
    expect(judgeCompare(canary, stable, { direction: 'increase' }).verdict).toBe('fail');
  });

  it('honors pValue', () => {
    const r = seededRandom(9);
    const stable = sampleLognormal(r, 15, 0, 0.5);
    const canary = sampleLognormal(r, 15, 0.3, 0.5);
    const v = judgeCompare(canary, stable, { direction: 'increase' });
    expect(v.pValue).toBeGreaterThan(0.001);
    expect(judgeCompare(canary, stable, { direction: 'increase', pValue: 0.001 }).verdict).toBe('pass');
  });
});

describe('judgeCompare error rates on known distributions (fixed seed, loose bounds)', () => {
  const trials = 300;
  for (const [name, sampler] of Object.entries(DISTRIBUTIONS)) {
    it(`${name}: false positives near pValue, 3x always caught`, () => {
      const spec = { direction: 'increase' as const, pValue: 0.05 };
      const fp = failRate(sampler, 30, 1, spec, trials, 99);
      expect(fp).toBeGreaterThan(0.01);
      expect(fp).toBeLessThan(0.1);
      expect(1 - failRate(sampler, 30, 3, spec, trials, 100)).toBeLessThan(0.01);
      expect(failRate(sampler, 30, 1, { ...spec, maxRatio: 1.5 }, trials, 101)).toBeLessThan(0.05);
    });
  }

  it('1.2x: mostly caught on tight normal data, often missed on wide lognormal data at n=30', () => {
    const spec = { direction: 'increase' as const, pValue: 0.05 };
    const normal = DISTRIBUTIONS['normal(100, 15)'];
    const lognormal = DISTRIBUTIONS['lognormal(ln 100, 0.5)'];
    if (!normal || !lognormal) throw new Error('distributions missing');
    expect(1 - failRate(normal, 30, 1.2, spec, trials, 102)).toBeLessThan(0.05);
    const fnLog = 1 - failRate(lognormal, 30, 1.2, spec, trials, 103);
    expect(fnLog).toBeGreaterThan(0.3);
    expect(fnLog).toBeLessThan(0.9);
  });
});
