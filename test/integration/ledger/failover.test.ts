// The ledger across a crash and a failover on the real control plane: of two replicas only
// the leader exports the ledger series; the leader SIGKILLed mid-canary, the new one
// finishes the change, and its Change records every event once.
import { CoordinationV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { GROUP, VERSION, type ChangeStatus } from '../../../src/api/index.js';
import { changeNameForId } from '../../../src/ledger/key.js';
import { eventually, kubeConfig, kubectl, useTestNamespace } from '../../support/cluster.js';
import { startController, type ControllerProcess } from '../../support/controller.js';
import { cli, createApp, waitForStatus } from '../controller/fixtures.js';

const ns = useTestNamespace('ledger-ha');
const running: ControllerProcess[] = [];
const LEASE = 'clairvoyance-ledger-ha';
const start = (): ControllerProcess => {
  const c = startController(ns.name, ['--leader-election-namespace', ns.name, '--lease-name', LEASE]);
  running.push(c);
  return c;
};

afterAll(async () => {
  await Promise.all(running.map((c) => c.kill('SIGKILL')));
});

const ledgerSamples = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('clairvoyance_ledger_changes{'));

describe('the ledger across failover', () => {
  it('one set of series from two replicas; a SIGKILLed leader mid-canary changes no figure', async () => {
    const a = start();
    await a.ready;
    const coordination = kubeConfig().makeApiClient(CoordinationV1Api);
    const holder = async (): Promise<string | undefined> =>
      (await coordination.readNamespacedLease({ name: LEASE, namespace: ns.name })).spec?.holderIdentity || undefined;
    const firstLeader = await eventually('a leader', holder, { timeoutMs: 30_000 });
    const b = start();
    await b.ready;

    await createApp(ns.name, 'ship', [{ setWeight: 50 }, { pause: {} }], { stabilityWindow: '3s', rollback: { scaleDownDelaySeconds: 0 } });
    await waitForStatus(ns.name, 'ship', 'adoption', (s) => s.phase === 'Healthy' && !!s.stableRevision, 30_000);
    const changeId = 'CHG-HA-1';
    const annotations = { 'clairvoyance.dev/change-id': changeId, 'clairvoyance.dev/origin': 'ai-assisted' };
    const patched = await kubectl([
      'patch',
      'deployment',
      'ship',
      '-n',
      ns.name,
      '--type',
      'merge',
      '-p',
      JSON.stringify({ spec: { template: { metadata: { annotations }, spec: { containers: [{ name: 'app', image: 'registry.example/app:2' }] } } } }),
    ]);
    expect(patched.code, patched.stderr).toBe(0);
    await waitForStatus(ns.name, 'ship', 'the canary to wait for promote', (s) => s.phase === 'Paused' && s.currentStepIndex === 1, 30_000);

    const name = changeNameForId(changeId);
    const change = async (): Promise<ChangeStatus | undefined> =>
      (
        (await kubeConfig()
          .makeApiClient(CustomObjectsApi)
          .getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns.name, plural: 'changes', name })) as { status?: ChangeStatus }
      ).status;
    await eventually('the change in canary', async () => ((await change())?.state === 'Canary' ? true : undefined), { timeoutMs: 10_000 });

    // Only the leader exports: a scrape of both is one set of series.
    const leader = (await holder()) === firstLeader ? a : b;
    const follower = leader === a ? b : a;
    expect(ledgerSamples(await leader.metrics())).toContain('clairvoyance_ledger_changes{origin="ai-assisted",state="Canary"} 1');
    expect(ledgerSamples(await follower.metrics())).toEqual([]);

    await leader.kill('SIGKILL');
    await eventually(
      'a new leader',
      async () => {
        const h = await holder();
        return h && h !== firstLeader ? h : undefined;
      },
      { timeoutMs: 30_000 },
    );
    // The new leader picks the canary up where it was, and the CLI finishes it.
    await eventually('the new leader exports the ledger', async () => (ledgerSamples(await follower.metrics()).length > 0 ? true : undefined), {
      timeoutMs: 30_000,
    });
    expect((await cli(['promote', 'ship', '-n', ns.name])).code).toBe(0);
    await waitForStatus(ns.name, 'ship', 'promoted', (s) => s.phase === 'Healthy' && s.reason === 'Promoted', 30_000);
    const s = await eventually(
      'stable',
      async () => {
        const c = await change();
        return c?.state === 'Stable' ? c : undefined;
      },
      { timeoutMs: 20_000 },
    );

    expect(s).toMatchObject({ attempts: 1, denials: 0, canaries: 1, canaryRollbacks: 0, escapedFailures: 0 });
    expect(s.timeline.map((e) => e.type)).toEqual(['Admitted', 'GatesPassed', 'Promoted', 'Stable']);
    const f = s.figures;
    expect(f.beforeAdmissionSeconds! + f.gatesSeconds! + f.canarySeconds!).toBeCloseTo(f.leadTimeSeconds!, 3);
    expect(f.leadTimeSeconds).toBeCloseTo((Date.parse(s.promotedAt!) - Date.parse(s.startedAt!)) / 1000, 3);
    expect(ledgerSamples(await follower.metrics())).toContain('clairvoyance_ledger_changes{origin="ai-assisted",state="Stable"} 1');
  });
});
