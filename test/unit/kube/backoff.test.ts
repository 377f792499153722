import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Backoff, exponentialDelay } from '../../../src/kube/backoff.js';
import { ItemExponentialRateLimiter } from '../../../src/kube/rate-limiter.js';

describe('exponentialDelay', () => {
  it('doubles from the initial delay and is capped', () => {
    expect([0, 1, 2, 3].map((n) => exponentialDelay(5, 1_000_000, n))).toEqual([5, 10, 20, 40]);
    expect(exponentialDelay(5, 1_000_000, 30)).toBe(1_000_000);
    expect(exponentialDelay(5, 1_000_000, 10_000)).toBe(1_000_000);
  });

  it('property: monotone in failures and never above the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 10_000_000 }), fc.nat(200), (base, max, n) => {
        const d = exponentialDelay(base, max, n);
        expect(d).toBeLessThanOrEqual(Math.max(base, max));
        expect(exponentialDelay(base, max, n + 1)).toBeGreaterThanOrEqual(d);
      }),
    );
  });
});

describe('ItemExponentialRateLimiter', () => {
  it('backs off each key independently, like client-go (5 ms .. 1000 s)', () => {
    const rl = new ItemExponentialRateLimiter();
    expect([rl.when('a'), rl.when('a'), rl.when('a')]).toEqual([5, 10, 20]);
    expect(rl.when('b')).toBe(5);
    for (let i = 0; i < 40; i++) rl.when('a');
    expect(rl.when('a')).toBe(1_000_000);
    rl.forget('a');
    expect(rl.when('a')).toBe(5);
  });
});

describe('Backoff', () => {
  it('grows with jitter within bounds and resets after a quiet period', () => {
    let now = 0;
    const b = new Backoff(
      { initialMs: 100, maxMs: 1000, jitter: 1, resetAfterMs: 10_000 },
      () => now,
      () => 0.5,
    );
    expect(b.next()).toBe(150);
    now += 10;
    expect(b.next()).toBe(300);
    now += 10;
    expect(b.next()).toBe(600);
    now += 10;
    expect(b.next()).toBe(1200);
    now += 10;
    expect(b.next()).toBe(1500); // capped base 1000 * 1.5
    now += 20_000;
    expect(b.next()).toBe(150);
  });

  it('property: delay stays within [base, cap * (1 + jitter)]', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 50 }), (rands) => {
        let i = 0;
        const b = new Backoff(
          { initialMs: 800, maxMs: 30_000, jitter: 1, resetAfterMs: 120_000 },
          () => 0,
          () => rands[i++ % rands.length] ?? 0,
        );
        for (let k = 0; k < rands.length; k++) {
          const d = b.next();
          expect(d).toBeGreaterThanOrEqual(800);
          expect(d).toBeLessThanOrEqual(60_000);
        }
      }),
    );
  });
});
