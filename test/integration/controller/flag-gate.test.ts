// The flag as a pre-canary gate, through the real controller: a missing flag or
// one that defaults to on blocks the change with no canary pod; fixing the flag
// lets the same change proceed by itself.
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { kubeConfig, useTestNamespace } from '../../support/cluster.js';
import { useController } from '../../support/controller.js';
import { createApp, replicasByRevision, setImage, waitForStatus } from './fixtures.js';

const ns = useTestNamespace('flaggate');
useController(ns.name, ['--no-leader-elect']);

const flags = (defaultVariant: string): string =>
  JSON.stringify({ flags: { 'new-cart': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant } } }, null, 2);

describe('flag gate in the controller', () => {
  it('blocks while the flag is missing or defaults to on, then proceeds once it defaults to off', async () => {
    const core = kubeConfig().makeApiClient(CoreV1Api);
    await createApp(ns.name, 'cart', [{ setWeight: 50 }, { pause: {} }], {
      flag: { key: 'new-cart', source: { configMap: { name: 'cart-flags' } } },
    });
    const adopted = await waitForStatus(ns.name, 'cart', 'adoption', (s) => s.phase === 'Healthy' && !!s.stableRevision);
    await setImage(ns.name, 'cart', 'registry.example/app:2');

    const missing = await waitForStatus(ns.name, 'cart', 'Blocked on the missing flag', (s) => s.phase === 'Blocked');
    expect(missing.findings?.map((f) => f.ruleId)).toContain('flag-source-missing');
    const canary = missing.canaryRevision!;
    expect((await replicasByRevision(ns.name, 'cart'))[canary]?.replicas ?? 0).toBe(0);

    await core.createNamespacedConfigMap({ namespace: ns.name, body: { metadata: { name: 'cart-flags' }, data: { 'flags.flagd.json': flags('on') } } });
    const on = await waitForStatus(
      ns.name,
      'cart',
      'Blocked on a flag that defaults to on',
      (s) => s.phase === 'Blocked' && (s.findings ?? []).some((f) => f.ruleId === 'flag-defaults-on'),
    );
    expect(on.findings?.map((f) => f.ruleId)).not.toContain('flag-source-missing');
    expect((await replicasByRevision(ns.name, 'cart'))[canary]?.replicas ?? 0).toBe(0);

    await core.patchNamespacedConfigMap(
      { name: 'cart-flags', namespace: ns.name, body: { data: { 'flags.flagd.json': flags('off') } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const proceeding = await waitForStatus(
      ns.name,
      'cart',
      'the canary once the flag is fixed',
      (s) => s.phase === 'Paused' && s.currentStepIndex === 1,
      60_000,
    );
    expect(proceeding.canaryRevision).toBe(canary);
    expect(proceeding.stableRevision).toBe(adopted.stableRevision);
    expect((await replicasByRevision(ns.name, 'cart'))[canary]?.replicas).toBe(2);
  });
});
