import { V1MicroTime } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { acquireSpec, canAcquire, leaseFingerprint, releaseSpec } from '../../../src/kube/lease-record.js';

describe('lease decisions', () => {
  const base = { me: 'b', leaseDurationMs: 15_000 };

  it('a free, released or own lease can be taken at once', () => {
    expect(canAcquire({ ...base, holder: undefined, observedAtMs: 0, nowMs: 1 })).toBe(true);
    expect(canAcquire({ ...base, holder: '', observedAtMs: 0, nowMs: 1 })).toBe(true);
    expect(canAcquire({ ...base, holder: 'b', observedAtMs: 0, nowMs: 1 })).toBe(true);
  });

  it("another holder's lease is taken only a full duration after we last saw it change", () => {
    expect(canAcquire({ ...base, holder: 'a', observedAtMs: 1000, nowMs: 15_999 })).toBe(false);
    expect(canAcquire({ ...base, holder: 'a', observedAtMs: 1000, nowMs: 16_000 })).toBe(true);
  });

  it('acquiring bumps transitions and sets both times; renewing keeps acquireTime and transitions', () => {
    const now = new Date('2026-01-01T00:00:00.123Z');
    const taken = acquireSpec({ holderIdentity: 'a', leaseTransitions: 4 }, 'b', 15, now);
    expect(taken).toMatchObject({ holderIdentity: 'b', leaseDurationSeconds: 15, leaseTransitions: 5 });
    expect(taken.renewTime).toBeInstanceOf(V1MicroTime);
    // MicroTime serialises with microsecond precision, as the API requires.
    expect(JSON.stringify({ t: taken.renewTime })).toBe('{"t":"2026-01-01T00:00:00.123000Z"}');
    const later = new Date('2026-01-01T00:00:02Z');
    const renewed = acquireSpec(taken, 'b', 15, later);
    expect(renewed.acquireTime).toBe(taken.acquireTime);
    expect(renewed.leaseTransitions).toBe(5);
    expect(renewed.renewTime?.getTime()).toBe(later.getTime());
  });

  it('release empties the holder and shortens the duration to 1 s', () => {
    expect(releaseSpec({ holderIdentity: 'b', leaseTransitions: 5, leaseDurationSeconds: 15 }, new Date())).toMatchObject({
      holderIdentity: '',
      leaseDurationSeconds: 1,
      leaseTransitions: 5,
    });
  });

  it('fingerprints change on renewal whether times are strings (as read) or dates (as written)', () => {
    const read = { holderIdentity: 'a', renewTime: '2026-01-01T00:00:00.000000Z' as unknown as V1MicroTime };
    const renewed = { holderIdentity: 'a', renewTime: '2026-01-01T00:00:02.000000Z' as unknown as V1MicroTime };
    expect(leaseFingerprint(read)).not.toBe(leaseFingerprint(renewed));
    expect(leaseFingerprint(read)).toBe(leaseFingerprint({ ...read }));
    expect(leaseFingerprint(undefined)).toBe('');
  });
});
