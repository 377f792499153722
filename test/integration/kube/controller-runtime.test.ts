import { CoreV1Api } from '@kubernetes/client-node';
import type { KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { runController } from '../../../src/kube/controller-runtime.js';
import type { RunningController } from '../../../src/kube/controller-runtime.js';
import { Informer } from '../../../src/kube/informer.js';
import { CORE_CONFIGMAPS, keyOf, objectKey, splitKey } from '../../../src/kube/resource.js';
import { WorkQueue } from '../../../src/kube/workqueue.js';
import { ItemExponentialRateLimiter } from '../../../src/kube/rate-limiter.js';
import { eventually, kubeConfig, useTestNamespace } from '../../support/cluster.js';

const ns = useTestNamespace('kube-ctrl');

// ConfigMaps stand in for a primary resource ("role=primary") and its dependents
// ("role=child", annotated with their owner), the way Deployments and
// ReplicaSets map to their Rollout.
const OWNER = 'test.clairvoyance.dev/owner';

function cm(name: string, role: 'primary' | 'child', extra: Partial<V1ConfigMap['metadata']> = {}, v = '1'): V1ConfigMap {
  return { metadata: { name, namespace: ns.name, labels: { role }, ...extra }, data: { v } };
}

describe('runController against the real API server', () => {
  let controller: RunningController | undefined;
  const informers: Informer[] = [];

  afterEach(async () => {
    await controller?.stop();
    controller = undefined;
    await Promise.all(informers.splice(0).map((i) => i.stop()));
  });

  it('maps events to keys, waits for sync, requeues after, retries errors with backoff, one worker per key', async () => {
    const api = kubeConfig().makeApiClient(CoreV1Api);
    await api.createNamespacedConfigMap({ namespace: ns.name, body: cm('alpha', 'primary') });

    const primaries = new Informer<V1ConfigMap>(kubeConfig(), { resource: CORE_CONFIGMAPS, namespace: ns.name, labelSelector: 'role=primary' });
    const children = new Informer<V1ConfigMap>(kubeConfig(), { resource: CORE_CONFIGMAPS, namespace: ns.name, labelSelector: 'role=child' });
    informers.push(primaries, children);

    const reconciles: string[] = [];
    const inFlight = new Set<string>();
    let overlap = false;
    let reconciledBeforeSync = false;
    let failuresLeft = 2;
    let requeuedOnce = false;
    const durations: string[] = [];
    const errors: string[] = [];

    controller = runController({
      name: 'test',
      informers: { primaries, children } as Record<string, Informer<KubernetesObject>>,
      queue: new WorkQueue({ rateLimiter: new ItemExponentialRateLimiter(50, 1000) }),
      workers: 4,
      enqueueFor: (source, obj) =>
        source === 'primaries'
          ? objectKey(obj)
          : obj.metadata?.annotations?.[OWNER]
            ? keyOf(obj.metadata.namespace, obj.metadata.annotations[OWNER])
            : undefined,
      hooks: { reconcileDuration: (_ms, outcome) => durations.push(outcome), reconcileError: (key) => errors.push(key) },
      reconciler: {
        async reconcile(key) {
          if (!primaries.hasSynced() || !children.hasSynced()) reconciledBeforeSync = true;
          if (inFlight.has(key)) overlap = true;
          inFlight.add(key);
          reconciles.push(key);
          try {
            await new Promise((r) => setTimeout(r, 30));
            const { name } = splitKey(key);
            if (name === 'flaky' && failuresLeft > 0) {
              failuresLeft--;
              throw new Error('transient');
            }
            if (name === 'timed' && !requeuedOnce) {
              requeuedOnce = true;
              return { requeueAfter: 300 };
            }
            return {};
          } finally {
            inFlight.delete(key);
          }
        },
      },
    });
    expect(await controller.started).toBe(true);
    const alphaKey = keyOf(ns.name, 'alpha');
    await eventually('initial reconcile', async () => (reconciles.includes(alphaKey) ? true : undefined));

    // A dependent's event enqueues its owner.
    const before = reconciles.filter((k) => k === alphaKey).length;
    await api.createNamespacedConfigMap({ namespace: ns.name, body: cm('alpha-child', 'child', { annotations: { [OWNER]: 'alpha' } }) });
    await eventually('owner reconciled for child event', async () => (reconciles.filter((k) => k === alphaKey).length > before ? true : undefined));
    // An unowned dependent enqueues nothing.
    await api.createNamespacedConfigMap({ namespace: ns.name, body: cm('orphan', 'child') });

    // requeueAfter brings the key back.
    const timedKey = keyOf(ns.name, 'timed');
    await api.createNamespacedConfigMap({ namespace: ns.name, body: cm('timed', 'primary') });
    await eventually('timed reconciled twice', async () => (reconciles.filter((k) => k === timedKey).length >= 2 ? true : undefined));

    // Errors retry with per-key backoff until success.
    const flakyKey = keyOf(ns.name, 'flaky');
    await api.createNamespacedConfigMap({ namespace: ns.name, body: cm('flaky', 'primary') });
    await eventually('flaky succeeded', async () => (reconciles.filter((k) => k === flakyKey).length >= 3 ? true : undefined));
    expect(errors.filter((k) => k === flakyKey)).toHaveLength(2);

    // A burst of updates to one object never runs two reconciles of it at once.
    for (let i = 2; i < 8; i++) {
      await api.replaceNamespacedConfigMap({ namespace: ns.name, name: 'alpha', body: cm('alpha', 'primary', {}, String(i)) });
    }
    await new Promise((r) => setTimeout(r, 500));

    expect(reconciledBeforeSync).toBe(false);
    expect(overlap).toBe(false);
    expect(reconciles.some((k) => k.endsWith('/orphan') || k.endsWith('/alpha-child'))).toBe(false);
    expect(durations).toContain('requeue');
    expect(durations).toContain('error');
    expect(durations).toContain('success');
  });

  it('stop({drain: true}) lets the in-flight reconcile finish; stop({drain: false}) aborts its signal', async () => {
    const api = kubeConfig().makeApiClient(CoreV1Api);
    await api.createNamespacedConfigMap({ namespace: ns.name, body: cm('slow', 'primary', { labels: { role: 'slow' } }) });
    const inf = new Informer<V1ConfigMap>(kubeConfig(), { resource: CORE_CONFIGMAPS, namespace: ns.name, labelSelector: 'role=slow' });
    informers.push(inf);
    let finished = false;
    let started = false;
    controller = runController({
      informers: { inf } as Record<string, Informer<KubernetesObject>>,
      queue: new WorkQueue(),
      reconciler: {
        async reconcile() {
          started = true;
          await new Promise((r) => setTimeout(r, 400));
          finished = true;
        },
      },
    });
    await eventually('reconcile started', async () => (started ? true : undefined));
    await controller.stop({ drain: true });
    expect(finished).toBe(true);

    let aborted: boolean | undefined;
    started = false;
    const second = runController({
      informers: { inf } as Record<string, Informer<KubernetesObject>>,
      queue: new WorkQueue(),
      reconciler: {
        async reconcile(_key, { signal }) {
          started = true;
          await new Promise((r) => setTimeout(r, 1_000));
          aborted = signal.aborted;
        },
      },
    });
    await eventually('second reconcile started', async () => (started ? true : undefined));
    await second.stop({ drain: false });
    await new Promise((r) => setTimeout(r, 1_100));
    expect(aborted).toBe(true);
  });
});
