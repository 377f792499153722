// Seeded randomness, so a run with a given --seed serves the same sequence of
// latencies and errors (useful when a benchmark figure needs explaining).

/** mulberry32: small, fast, good enough for load shaping. */
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

/** One standard normal sample (Box-Muller). */
export function standardNormal(rand: () => number): number {
  const u = Math.max(rand(), Number.MIN_VALUE);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Lognormal with the given median: the median of exp(N(ln m, sigma)) is m. */
export function lognormalAroundMedian(rand: () => number, median: number, sigma: number): number {
  if (median <= 0) return 0;
  return median * Math.exp(sigma * standardNormal(rand));
}
