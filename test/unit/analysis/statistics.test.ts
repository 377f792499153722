import { describe, expect, it } from 'vitest';
import { cliffsDelta, hodgesLehmannShift, mean, median, ratioOfMedians } from '../../../src/analysis/statistics/effect-size.js';
import { mannWhitneyU } from '../../../src/analysis/statistics/mann-whitney.js';
import { normalCdf, normalSf } from '../../../src/analysis/statistics/normal.js';
import { seededRandom } from '../../bench/analysis-distributions.js';

describe('normal distribution', () => {
  it.each([
    [0, 0.5],
    [1.959964, 0.975],
    [-1.644854, 0.05],
    [3, 0.998650102],
  ])('cdf(%d) = %d', (z, p) => {
    expect(normalCdf(z)).toBeCloseTo(p, 6);
    expect(normalSf(z)).toBeCloseTo(1 - p, 6);
  });
});

describe('mannWhitneyU', () => {
  const low = [1, 2, 3, 4, 5];
  const high = [6, 7, 8, 9, 10];

  it('complete separation, exact', () => {
    const two = mannWhitneyU(low, high, 'two-sided');
    expect(two).toMatchObject({ u: 0, method: 'exact', ties: false });
    expect(two.pValue).toBeCloseTo(2 / 252, 12);
    expect(mannWhitneyU(low, high, 'less').pValue).toBeCloseTo(1 / 252, 12);
    expect(mannWhitneyU(low, high, 'greater').pValue).toBeCloseTo(1, 12);
    expect(mannWhitneyU(high, low, 'greater')).toMatchObject({ u: 25 });
  });

  it('matches R wilcox.test (Hollander & Wolfe permeability data): W = 35, p = 0.1272', () => {
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    const r = mannWhitneyU(x, y, 'greater');
    expect(r.u).toBe(35);
    expect(r.pValue).toBeCloseTo(0.1272, 4);
  });

  it('normal approximation agrees with the exact distribution without ties', () => {
    const rand = seededRandom(3);
    for (let t = 0; t < 20; t++) {
      const x = Array.from({ length: 20 }, () => rand());
      const y = Array.from({ length: 20 }, () => rand() + 0.1);
      for (const alt of ['two-sided', 'greater', 'less'] as const) {
        const exact = mannWhitneyU(x, y, alt);
        const approx = mannWhitneyU(x, y, alt, 'normal');
        expect(exact.method).toBe('exact');
        expect(Math.abs(exact.pValue - approx.pValue)).toBeLessThan(0.01);
      }
    }
  });

  it('tie-corrected normal approximation agrees with a permutation test', () => {
    const rand = seededRandom(11);
    const x = [1, 1, 2, 2, 2, 3, 3, 4, 5, 5, 5, 6, 6, 7, 8];
    const y = [2, 3, 3, 4, 4, 5, 5, 5, 6, 6, 7, 7, 8, 8, 9];
    const observed = mannWhitneyU(x, y, 'less', 'normal');
    expect(observed.ties).toBe(true);
    const pooled = [...x, ...y];
    let atLeastAsExtreme = 0;
    const perms = 4000;
    for (let p = 0; p < perms; p++) {
      for (let i = pooled.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [pooled[i], pooled[j]] = [pooled[j] as number, pooled[i] as number];
      }
      if (mannWhitneyU(pooled.slice(0, x.length), pooled.slice(x.length), 'less', 'normal').u <= observed.u) atLeastAsExtreme++;
    }
    expect(Math.abs(observed.pValue - atLeastAsExtreme / perms)).toBeLessThan(0.02);
  });

  it('identical samples give p = 1', () => {
    expect(mannWhitneyU([3, 3, 3, 3, 3], [3, 3, 3, 3, 3]).pValue).toBe(1);
  });

  it('needs values on both sides', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(RangeError);
  });
});

describe('effect sizes', () => {
  it('median and mean', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(mean([1, 2, 3])).toBe(2);
  });

  it.each([
    [[30, 30, 30], [10, 10, 10], 3],
    [[0, 0, 0], [0, 0, 0], 1],
    [[0, 0, 3], [0, 0, 1], 3],
    [[1, 1, 1], [0, 0, 0], Infinity],
  ])('ratioOfMedians(%j, %j) = %d', (c, s, r) => {
    expect(ratioOfMedians(c, s)).toBe(r);
  });

  it('Hodges-Lehmann shift', () => {
    expect(hodgesLehmannShift([11, 12, 13], [1, 2, 3])).toBe(10);
    expect(hodgesLehmannShift([1, 2, 3], [1, 2, 3])).toBe(0);
  });

  it("Cliff's delta", () => {
    expect(cliffsDelta([5, 6], [1, 2])).toBe(1);
    expect(cliffsDelta([1, 2], [5, 6])).toBe(-1);
    expect(cliffsDelta([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(cliffsDelta([2], [1, 2, 3])).toBeCloseTo(0, 12);
  });
});
