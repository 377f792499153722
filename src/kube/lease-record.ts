import type { V1ObjectMeta } from '@kubernetes/client-node';

// Pure decisions of leader election, after client-go's LeaderElector. Expiry
// is judged with the local monotonic clock from the moment this replica saw
// the record change, never from renewTime, so clock skew between replicas
// cannot hand the lease to two leaders.

/** coordination.k8s.io/v1 LeaseSpec as the API sends it: MicroTimes are strings. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: LeaseSpec;
}

/** RFC 3339 with exactly six fractional digits, the only form a MicroTime field accepts. */
export function microTime(at: Date): string {
  return at.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Identifies a lease record; when it changes, the holder renewed (or changed). */
export function leaseFingerprint(spec: LeaseSpec | undefined): string {
  if (!spec) return '';
  return [spec.holderIdentity ?? '', spec.renewTime ?? '', spec.leaseDurationSeconds ?? '', spec.leaseTransitions ?? ''].join('|');
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
export function acquireSpec(current: LeaseSpec | undefined, me: string, leaseDurationSeconds: number, now: Date): LeaseSpec {
  const renewing = current?.holderIdentity === me;
  return {
    holderIdentity: me,
    leaseDurationSeconds,
    acquireTime: renewing && current?.acquireTime ? current.acquireTime : microTime(now),
    renewTime: microTime(now),
    leaseTransitions: renewing ? (current?.leaseTransitions ?? 0) : (current?.leaseTransitions ?? 0) + 1,
  };
}

/**
 * The record written on graceful release: no holder and a 1 s duration, so a
 * waiting replica takes over at its next retry instead of waiting out the
 * full lease.
 */
export function releaseSpec(current: LeaseSpec | undefined, now: Date): LeaseSpec {
  return {
    holderIdentity: '',
    leaseDurationSeconds: 1,
    acquireTime: microTime(now),
    renewTime: microTime(now),
    leaseTransitions: current?.leaseTransitions ?? 0,
  };
}
