import { CoordinationV1Api } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { LeaderElector } from '../../../src/kube/leader-election.js';
import type { LeaderElectionOptions } from '../../../src/kube/leader-election.js';
import { coordinationLeaseClient } from '../../../src/kube/lease-client.js';
import type { LeaseClient } from '../../../src/kube/lease-client.js';
import { eventually, kubeConfig, useTestNamespace } from '../../support/cluster.js';

const ns = useTestNamespace('kube-leader');

// Short timings keep the tests quick; the ratios match the defaults (15/10/2 s).
const timings = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 400 };

interface Candidate {
  elector: LeaderElector;
  startedAt?: number;
  stoppedAt?: number;
  signal?: AbortSignal;
  done: Promise<void>;
}

const electors: LeaderElector[] = [];

function candidate(lease: string, identity: string, extra: Partial<LeaderElectionOptions> = {}): Candidate {
  const elector = new LeaderElector(kubeConfig(), { namespace: ns.name, name: lease, identity, ...timings, ...extra });
  electors.push(elector);
  const c: Candidate = { elector, done: Promise.resolve() };
  c.done = elector.run({
    onStartedLeading: (signal) => {
      c.startedAt = performance.now();
      c.signal = signal;
    },
    onStoppedLeading: () => {
      c.stoppedAt = performance.now();
    },
  });
  return c;
}

/** Wraps the real Lease client; while partitioned, every call hangs like a dead network. */
function partitionable(inner: LeaseClient) {
  let partitioned = false;
  const gate = <T>(call: () => Promise<T>): Promise<T> => (partitioned ? new Promise<T>(() => {}) : call());
  const client: LeaseClient = {
    get: (n, name) => gate(() => inner.get(n, name)),
    create: (n, lease) => gate(() => inner.create(n, lease)),
    replace: (n, name, lease) => gate(() => inner.replace(n, name, lease)),
  };
  return {
    client,
    partition() {
      partitioned = true;
    },
  };
}

async function readLease(name: string) {
  return kubeConfig().makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: ns.name, name });
}

describe('LeaderElector against the real API server', () => {
  afterEach(async () => {
    await Promise.all(electors.splice(0).map((e) => e.stop()));
  });

  it('two candidates: exactly one leads, and release hands over fast', async () => {
    const a = candidate('pair', 'replica-a');
    const b = candidate('pair', 'replica-b');
    const leader = await eventually('a leader', async () => (a.startedAt ? a : b.startedAt ? b : undefined));
    const follower = leader === a ? b : a;
    // Over several renew periods the follower never leads.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(leader.elector.isLeader()).toBe(true);
    expect(follower.elector.isLeader()).toBe(false);
    expect(follower.startedAt).toBeUndefined();
    const lease = await readLease('pair');
    expect(lease.spec?.holderIdentity).toBe(leader.elector.identity);
    expect(lease.spec?.leaseDurationSeconds).toBe(3);

    const releasedAt = performance.now();
    await leader.elector.release();
    expect(leader.stoppedAt).toBeDefined();
    expect(leader.signal?.aborted).toBe(true);
    await leader.done;
    await eventually('follower takes over', async () => (follower.startedAt ? true : undefined), { timeoutMs: 5_000 });
    // Well before the 3 s lease would have expired: the release record (empty holder, 1 s) lets it in at once.
    expect((follower.startedAt ?? Infinity) - releasedAt).toBeLessThan(timings.leaseDurationMs);
    expect((leader.stoppedAt ?? Infinity) <= (follower.startedAt ?? 0)).toBe(true);
    const after = await readLease('pair');
    expect(after.spec?.holderIdentity).toBe(follower.elector.identity);
    expect(after.spec?.leaseTransitions).toBe(2);
  });

  it('a leader that cannot renew stops leading before anyone else can take over', async () => {
    const net = partitionable(coordinationLeaseClient(kubeConfig()));
    const a = candidate('partition', 'replica-a', { leaseClient: net.client });
    await eventually('a leads', async () => (a.startedAt ? true : undefined));
    const b = candidate('partition', 'replica-b');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(b.startedAt).toBeUndefined();

    const cutAt = performance.now();
    net.partition();
    await eventually('a stops leading', async () => (a.stoppedAt ? true : undefined), { timeoutMs: 5_000 });
    // Stopped by the renew deadline, measured from its last successful renewal.
    expect((a.stoppedAt ?? Infinity) - cutAt).toBeLessThanOrEqual(timings.renewDeadlineMs + 200);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.signal?.aborted).toBe(true);
    await eventually('b takes over once the lease expires', async () => (b.startedAt ? true : undefined), { timeoutMs: 10_000 });
    expect((b.startedAt ?? 0) > (a.stoppedAt ?? Infinity)).toBe(true);
  });

  it('a leader whose lease was taken over stops at its next renewal', async () => {
    const a = candidate('hijack', 'replica-a');
    await eventually('a leads', async () => (a.startedAt ? true : undefined));
    const lease = await readLease('hijack');
    lease.spec = { ...lease.spec, holderIdentity: 'intruder', leaseDurationSeconds: 60 };
    await kubeConfig().makeApiClient(CoordinationV1Api).replaceNamespacedLease({ namespace: ns.name, name: 'hijack', body: lease });
    await eventually('a notices', async () => (a.stoppedAt ? true : undefined), { timeoutMs: 5_000 });
    expect(a.elector.isLeader()).toBe(false);
    await a.done;
  });
});
