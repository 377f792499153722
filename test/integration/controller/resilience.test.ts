// Crash and failover on the real control plane: a controller killed with SIGKILL
// mid-pause resumes from status; of two replicas only the leader writes, and
// killing it hands the rollout over within the lease time.
import { CoordinationV1Api } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, kubeConfig, useTestNamespace } from '../../support/cluster.js';
import { metricSum, startController, type ControllerProcess } from '../../support/controller.js';
import { createApp, replicasByRevision, setImage, waitForStatus } from './fixtures.js';

const ns = useTestNamespace('resilience');
const running: ControllerProcess[] = [];
const start = (args: string[]): ControllerProcess => {
  const c = startController(ns.name, args);
  running.push(c);
  return c;
};

afterAll(async () => {
  await Promise.all(running.map((c) => c.kill('SIGKILL')));
});

describe('controller restarts and failover', () => {
  it('resumes a timed pause after SIGKILL with the remaining time, no step repeated or skipped', async () => {
    const first = start(['--no-leader-elect']);
    await first.ready;
    await createApp(ns.name, 'pay', [{ setWeight: 25 }, { pause: { duration: '20s' } }, { setWeight: 50 }, { pause: {} }]);
    await waitForStatus(ns.name, 'pay', 'adoption', (s) => s.phase === 'Healthy' && !!s.stableRevision);
    await setImage(ns.name, 'pay', 'registry.example/app:2');
    const paused = await waitForStatus(ns.name, 'pay', 'the 20s pause', (s) => s.currentStepIndex === 1 && s.phase === 'Paused');
    await new Promise((r) => setTimeout(r, 4_000));
    expect(await first.kill('SIGKILL')).toBeNull();

    const second = start(['--no-leader-elect']);
    await second.ready;
    // Still in the same pause, with the same start time: nothing restarted the timer.
    const during = await waitForStatus(ns.name, 'pay', 'the restarted controller to see the pause', (s) => s.currentStepIndex === 1, 10_000);
    expect(during.pauseStartedAt).toBe(paused.pauseStartedAt);
    const next = await waitForStatus(ns.name, 'pay', 'the pause to end', (s) => (s.currentStepIndex ?? 0) >= 3, 40_000);
    const ended = Date.parse(next.stepStartedAt!);
    const pauseStart = Date.parse(paused.pauseStartedAt!);
    // Ends 20 s after it began (not 20 s after the restart), and lands on the next pause: step 2 ran once.
    expect(ended - pauseStart).toBeGreaterThanOrEqual(20_000);
    expect(ended - pauseStart).toBeLessThan(27_000);
    expect(next.currentStepIndex).toBe(3);
    const rs = await replicasByRevision(ns.name, 'pay');
    expect(rs[next.canaryRevision!]?.replicas).toBe(2);
    await second.kill('SIGTERM');
  });

  it('two replicas: only the leader writes; killing it hands over within the lease time', async () => {
    const lease = ['--leader-election-namespace', ns.name, '--lease-name', 'clairvoyance-test'];
    const a = start(lease);
    await a.ready;
    const coordination = kubeConfig().makeApiClient(CoordinationV1Api);
    const holder = async (): Promise<string | undefined> =>
      (await coordination.readNamespacedLease({ name: 'clairvoyance-test', namespace: ns.name })).spec?.holderIdentity || undefined;
    const firstLeader = await eventually('a leader', holder, { timeoutMs: 30_000 });
    const b = start(lease);
    await b.ready;

    await createApp(ns.name, 'ship', [{ setWeight: 50 }, { pause: { duration: '2s' } }, { pause: {} }]);
    await waitForStatus(ns.name, 'ship', 'adoption', (s) => s.phase === 'Healthy' && !!s.stableRevision, 30_000);
    await setImage(ns.name, 'ship', 'registry.example/app:2');
    await waitForStatus(ns.name, 'ship', 'the canary to wait for promote', (s) => s.currentStepIndex === 2, 30_000);

    const writes = async (c: ControllerProcess): Promise<number> => metricSum(await c.metrics(), 'clairvoyance_api_writes_total');
    const [wa, wb] = [await writes(a), await writes(b)];
    expect(wa).toBeGreaterThan(0);
    expect(wb).toBe(0);
    expect(await holder()).toBe(firstLeader);

    // Failover: kill the leader hard; the standby takes the lease and carries on.
    const killedAt = Date.now();
    await a.kill('SIGKILL');
    const secondLeader = await eventually(
      'a new leader',
      async () => {
        const h = await holder();
        return h && h !== firstLeader ? h : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(Date.now() - killedAt).toBeLessThan(20_000);
    expect(secondLeader).toBeDefined();
    await setImage(ns.name, 'ship', 'registry.example/app:3');
    const moved = await waitForStatus(
      ns.name,
      'ship',
      'the new leader to start the newer canary',
      (s) => s.currentStepIndex === 2 && s.phase === 'Paused' && s.canaryRevision !== undefined,
      30_000,
    );
    expect(moved.stableRevision).not.toBe(moved.canaryRevision);
    expect(await writes(b)).toBeGreaterThan(0);
  });
});
