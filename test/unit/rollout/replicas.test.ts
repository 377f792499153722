import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canaryReplicaCount, resolveIntOrPercent, splitReplicas } from '../../../src/rollout/replica-split.js';

describe('replica split', () => {
  it.each([
    [4, 25, 1],
    [4, 50, 2],
    [3, 10, 1],
    [10, 0, 0],
    [10, 100, 10],
    [1, 1, 1],
  ])('canary replicas for %i at %i%% = %i', (replicas, weight, expected) => {
    expect(canaryReplicaCount(replicas, weight)).toBe(expected);
  });

  it('resolves int-or-percent', () => {
    expect(resolveIntOrPercent('25%', 10, true)).toBe(3);
    expect(resolveIntOrPercent('25%', 10, false)).toBe(2);
    expect(resolveIntOrPercent(2, 10, true)).toBe(2);
  });

  it('keeps capacity: stable shrinks only as canary pods become ready', () => {
    const first = splitReplicas({
      replicas: 4,
      weight: 50,
      maxSurge: '25%',
      maxUnavailable: 0,
      stable: { replicas: 4, ready: 4 },
      canary: { replicas: 0, ready: 0 },
    });
    expect(first).toMatchObject({ canary: 1, stable: 4, settled: false });
    const later = splitReplicas({
      replicas: 4,
      weight: 50,
      maxSurge: '25%',
      maxUnavailable: 0,
      stable: { replicas: 4, ready: 4 },
      canary: { replicas: 1, ready: 1 },
    });
    expect(later).toMatchObject({ canary: 1, stable: 3 });
  });

  it('never exceeds the surge budget nor drops below availability', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 50 }),
        (replicas, weight, stableNow, canaryNow) => {
          const stable = { replicas: Math.min(stableNow, replicas), ready: Math.min(stableNow, replicas) };
          const canary = { replicas: Math.min(canaryNow, replicas), ready: Math.min(canaryNow, replicas) };
          const s = splitReplicas({ replicas, weight, maxSurge: '25%', maxUnavailable: 0, stable, canary });
          expect(s.canary).toBeLessThanOrEqual(s.targetCanary);
          expect(s.stable).toBeLessThanOrEqual(replicas);
          expect(s.stable + Math.min(canary.ready, s.canary)).toBeGreaterThanOrEqual(Math.min(replicas, s.targetStable + Math.min(canary.ready, s.canary)));
        },
      ),
    );
  });
});
