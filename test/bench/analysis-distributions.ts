/** Seeded samplers shared by the judge's unit test and its FP/FN report. */

/** mulberry32: tiny, fast, good enough for Monte Carlo of a rank test. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
