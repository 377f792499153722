/** Seeded samplers shared by the judge's unit test and its FP/FN report. */

// One seeded generator for the stand-in and the statistics report.
export { seededRandom } from '../../dev/stand-in/random.js';

/** Box-Muller standard normal. */
export function normalSampler(rand: () => number): () => number {
  return () => {
    let u = 0;
    while (u === 0) u = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
}

export function sampleNormal(rand: () => number, n: number, mean: number, sd: number): number[] {
  const z = normalSampler(rand);
  return Array.from({ length: n }, () => mean + sd * z());
}

/** Lognormal: latency-like, right-skewed; median = exp(mu). */
export function sampleLognormal(rand: () => number, n: number, mu: number, sigma: number): number[] {
  const z = normalSampler(rand);
  return Array.from({ length: n }, () => Math.exp(mu + sigma * z()));
}
