// Sharding on the real control plane: two controllers, one unsharded and one for shard
// "a", each leading its own Lease, reconcile disjoint Rollouts; a Rollout labelled for a
// shard nobody runs waits untouched and the doctor names it; relabelling hands a Rollout
// over to the other controller, which carries its next canary.
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type CoreV1Event } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, VERSION } from '../../../src/api/index.js';
import { SHARD_LABEL } from '../../../src/api/labels.js';
import { kubeConfig, useTestNamespace } from '../../support/cluster.js';
import { startController, type ControllerProcess } from '../../support/controller.js';
import { cli, createApp, rolloutStatus, setImage, waitForStatus } from './fixtures.js';

const ns = useTestNamespace('shards');
const LEASE = 'cv-shards';
const kc = kubeConfig();
let unsharded: ControllerProcess;
let shardA: ControllerProcess;

const electIn = (): string[] => ['--leader-election-namespace', ns.name, '--lease-name', LEASE];

beforeAll(async () => {
  unsharded = startController(ns.name, electIn());
  shardA = startController(ns.name, [...electIn(), '--shard', 'a']);
  await Promise.all([unsharded.ready, shardA.ready]);
});
afterAll(async () => {
  await Promise.all([unsharded.kill('SIGTERM'), shardA.kill('SIGTERM')]);
});

async function label(name: string, shard: string | null): Promise<void> {
  // A merge patch: null removes the label.
  await kc
    .makeApiClient(CustomObjectsApi)
    .patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace: ns.name, plural: 'rollouts', name, body: { metadata: { labels: { [SHARD_LABEL]: shard } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
}

async function eventsOf(name: string): Promise<CoreV1Event[]> {
  const list = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: ns.name, fieldSelector: `involvedObject.name=${name}` });
  return list.items.filter((e) => e.involvedObject.kind === 'Rollout');
}

const byShardA = (e: CoreV1Event): boolean => (e.reportingInstance ?? '').endsWith('/shard-a');

describe('sharding by the clairvoyance.dev/shard label', () => {
  it('splits Rollouts between the shard and the unsharded controller, one Lease each', async () => {
    await createApp(ns.name, 'plain', [{ setWeight: 50 }, { pause: {} }]);
    // Created with the label: one created bare and labelled after is the unsharded
    // controller's until the label arrives, and it may adopt it in between.
    await createApp(ns.name, 'in-a', [{ setWeight: 50 }, { pause: {} }], {}, { [SHARD_LABEL]: 'a' });
    await createApp(ns.name, 'in-b', [{ setWeight: 50 }, { pause: {} }], {}, { [SHARD_LABEL]: 'b' });

    await waitForStatus(ns.name, 'plain', 'plain adopted', (s) => s.phase === 'Healthy');
    await waitForStatus(ns.name, 'in-a', 'in-a adopted', (s) => s.phase === 'Healthy');

    const adoptedPlain = (await eventsOf('plain')).filter((e) => e.reason === 'Adopted');
    const adoptedA = (await eventsOf('in-a')).filter((e) => e.reason === 'Adopted');
    expect(adoptedPlain.length).toBe(1);
    expect(adoptedPlain.some(byShardA)).toBe(false);
    expect(adoptedA.length).toBe(1);
    expect(adoptedA.every(byShardA)).toBe(true);

    const leases = kc.makeApiClient(CoordinationV1Api);
    const main = await leases.readNamespacedLease({ namespace: ns.name, name: LEASE });
    const a = await leases.readNamespacedLease({ namespace: ns.name, name: `${LEASE}-a` });
    expect(main.spec?.holderIdentity).toBeTruthy();
    expect(a.spec?.holderIdentity).toBeTruthy();
    expect(a.spec?.holderIdentity).not.toBe(main.spec?.holderIdentity);

    // Shard b has no controller: its Rollout is never written, by either of the two.
    expect((await rolloutStatus(ns.name, 'in-b')).phase).toBeUndefined();
    expect(await eventsOf('in-b')).toEqual([]);
  });

  it('the doctor names the shard nobody leads and the Rollouts that wait for it', async () => {
    const res = await cli(['doctor', '--controller-namespace', ns.name, '--lease-name', LEASE, '-o', 'json']);
    const report = JSON.parse(res.stdout) as { checks: { ok: boolean; message: string; fix?: string }[] };
    const shardB = report.checks.find((c) => c.message.includes(`${LEASE}-b`));
    expect(shardB?.ok).toBe(false);
    expect(shardB?.message).toContain(`1 Rollout(s) labelled ${SHARD_LABEL}=b are not reconciled`);
    expect(shardB?.fix).toContain('--shard b');
    const shardA = report.checks.find((c) => c.message.includes(`${LEASE}-a `));
    expect(shardA?.ok).toBe(true);
    expect(shardA?.message).toContain('for shard a');
  });

  it('relabelling hands a Rollout over: shard a adopts the waiting one and carries the next canary of a moved one', async () => {
    await label('in-b', 'a');
    await waitForStatus(ns.name, 'in-b', 'in-b adopted by shard a', (s) => s.phase === 'Healthy');
    expect((await eventsOf('in-b')).filter((e) => e.reason === 'Adopted').every(byShardA)).toBe(true);

    await label('plain', 'a');
    // Both watches deliver the relabel within milliseconds; the margin keeps the image
    // change from reaching a cache that still lists the Rollout under its old shard.
    await new Promise((r) => setTimeout(r, 2000));
    await setImage(ns.name, 'plain', 'registry.example/app:2');
    await waitForStatus(ns.name, 'plain', 'the moved Rollout paused for promotion', (s) => s.phase === 'Paused' && s.currentStepIndex === 1, 90_000);
    const stepEvents = (await eventsOf('plain')).filter((e) => e.reason === 'StepChanged' || e.reason === 'GatesPassed');
    expect(stepEvents.length).toBeGreaterThan(0);
    expect(stepEvents.every(byShardA)).toBe(true);
  });
});
