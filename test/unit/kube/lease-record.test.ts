import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acquireSpec, canAcquire, leaseFingerprint, microTime, releaseSpec } from '../../../src/kube/lease-record.js';

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
    // MicroTime is written with microsecond precision, as the API requires.
    expect(taken.renewTime).toBe('2026-01-01T00:00:00.123000Z');
    const later = new Date('2026-01-01T00:00:02Z');
    const renewed = acquireSpec(taken, 'b', 15, later);
    expect(renewed.acquireTime).toBe(taken.acquireTime);
    expect(renewed.leaseTransitions).toBe(5);
    expect(renewed.renewTime).toBe('2026-01-01T00:00:02.000000Z');
  });

  it('release empties the holder and shortens the duration to 1 s', () => {
    expect(releaseSpec({ holderIdentity: 'b', leaseTransitions: 5, leaseDurationSeconds: 15 }, new Date())).toMatchObject({
      holderIdentity: '',
      leaseDurationSeconds: 1,
      leaseTransitions: 5,
    });
  });

  it('fingerprints change on renewal', () => {
    const read = { holderIdentity: 'a', renewTime: '2026-01-01T00:00:00.000000Z' };
    const renewed = { holderIdentity: 'a', renewTime: '2026-01-01T00:00:02.000000Z' };
    expect(leaseFingerprint(read)).not.toBe(leaseFingerprint(renewed));
    expect(leaseFingerprint(read)).toBe(leaseFingerprint({ ...read }));
    expect(leaseFingerprint(undefined)).toBe('');
  });
});

describe('microTime', () => {
  it('always writes six fractional digits and reads back as the same instant', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (at) => {
        const text = microTime(at);
        expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
        expect(Date.parse(text)).toBe(at.getTime());
      }),
    );
  });
});
