import { V1MicroTime } from '@kubernetes/client-node';
import type { V1LeaseSpec } from '@kubernetes/client-node';

// Pure decisions of leader election, after client-go's LeaderElector. Expiry
// is judged with the local monotonic clock from the moment this replica saw
// the record change, never from renewTime, so clock skew between replicas
// cannot hand the lease to two leaders.

/** Identifies a lease record; when it changes, the holder renewed (or changed). */
export function leaseFingerprint(spec: V1LeaseSpec | undefined): string {
  if (!spec) return '';
  // The typed client leaves MicroTime fields as strings on read; accept both.
  const t = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v ?? ''));
  return [spec.holderIdentity ?? '', t(spec.renewTime), spec.leaseDurationSeconds ?? '', spec.leaseTransitions ?? ''].join('|');
}

/**
 * May `me` take or keep the lease? Yes when nobody holds it (released), when
 * we hold it, or when the holder has not renewed for its whole lease duration
 * as measured from when we observed its last renewal.
 */
export function canAcquire(args: { holder: string | undefined; me: string; observedAtMs: number; leaseDurationMs: number; nowMs: number }): boolean {
  const { holder, me, observedAtMs, leaseDurationMs, nowMs } = args;
  if (!holder || holder === me) return true;
  return observedAtMs + leaseDurationMs <= nowMs;
}

/** The record to write when `me` acquires or renews. */
export function acquireSpec(current: V1LeaseSpec | undefined, me: string, leaseDurationSeconds: number, now: Date): V1LeaseSpec {
  const renewing = current?.holderIdentity === me;
  return {
    holderIdentity: me,
    leaseDurationSeconds,
    acquireTime: renewing && current?.acquireTime ? current.acquireTime : new V1MicroTime(now.getTime()),
    renewTime: new V1MicroTime(now.getTime()),
    leaseTransitions: renewing ? (current?.leaseTransitions ?? 0) : (current?.leaseTransitions ?? 0) + 1,
  };
}

/**
 * The record written on graceful release: no holder and a 1 s duration, so a
 * waiting replica takes over at its next retry instead of waiting out the
 * full lease.
 */
export function releaseSpec(current: V1LeaseSpec | undefined, now: Date): V1LeaseSpec {
  return {
    holderIdentity: '',
    leaseDurationSeconds: 1,
    acquireTime: new V1MicroTime(now.getTime()),
    renewTime: new V1MicroTime(now.getTime()),
    leaseTransitions: current?.leaseTransitions ?? 0,
  };
}
