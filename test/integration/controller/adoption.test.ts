// Adopting a running Deployment never drops serving pods: its own pods stay until the
// Rollout's stable ReplicaSet is ready (workloadRef.scaleDown: onsuccess), sampled every
// 0.5 s. The pods run on the real node, so the stable ReplicaSet's pods take seconds to
// pass their readiness probe, as in production: scaling down early would show here.
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { GROUP, VERSION } from '../../../src/api/index.js';
import { eventually, kubeConfig, useTestNamespace } from '../../support/cluster.js';
import { useController } from '../../support/controller.js';
import { demoAppDeployment } from '../../../dev/stand-in/pod.js';
import { requireRealNode } from '../../support/real-node.js';
import { waitForStatus } from './fixtures.js';

requireRealNode();
const ns = useTestNamespace('adoption');
useController(ns.name, ['--no-leader-elect']);
const kc = kubeConfig();

async function readyPods(app: string): Promise<number> {
  const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns.name, labelSelector: `app=${app}` });
  return pods.items.filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
}

async function runningDeployment(app: string, replicas: number): Promise<void> {
  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: ns.name, body: demoAppDeployment(app, replicas) });
  await eventually(`${replicas} ready pods of ${app}`, async () => ((await readyPods(app)) >= replicas ? true : undefined), { timeoutMs: 120_000 });
}

async function adopt(app: string, scaleDown?: string): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: ns.name,
    plural: 'rollouts',
    body: {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'Rollout',
      metadata: { name: app },
      spec: {
        replicas: 4,
        workloadRef: { kind: 'Deployment', name: app, ...(scaleDown ? { scaleDown } : {}) },
        strategy: { canary: { steps: [{ setWeight: 50 }] } },
      },
    },
  });
}

describe('adopting a running Deployment', () => {
  it('never has fewer than 4 ready pods of the app, sampled every 0.5 s, and ends with the Deployment at 0', async () => {
    await runningDeployment('web', 4);
    let min = Infinity;
    let samples = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        min = Math.min(min, await readyPods('web'));
        samples++;
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    await adopt('web');
    const adopted = await waitForStatus(ns.name, 'web', 'handed over', (s) => s.adopted === true && s.phase === 'Healthy', 120_000);
    await eventually('Deployment at 0', async () =>
      (await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'web', namespace: ns.name })).spec?.replicas === 0 ? true : undefined,
    );
    await eventually('only the Rollout pods remain', async () => ((await readyPods('web')) === 4 ? true : undefined));
    // Keep sampling a little past the hand-over.
    await new Promise((r) => setTimeout(r, 2_000));
    sampling = false;
    await sampler;
    expect(samples).toBeGreaterThan(4);
    expect(min).toBeGreaterThanOrEqual(4);
    expect(adopted.readyReplicas).toBe(4);
  });

  it('scaleDown never leaves the Deployment serving at its own count', async () => {
    await runningDeployment('api', 2);
    await adopt('api', 'never');
    await waitForStatus(ns.name, 'api', 'Healthy', (s) => s.phase === 'Healthy' && (s.readyReplicas ?? 0) >= 4, 120_000);
    await new Promise((r) => setTimeout(r, 2_000));
    const d = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'api', namespace: ns.name });
    expect(d.spec?.replicas).toBe(2);
  });
});
