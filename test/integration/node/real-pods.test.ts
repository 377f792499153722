// Pods that run code on the stack's real node: they take time to become Ready, answer
// on pod IPs, and share a Service's traffic by their ready endpoints. The canary's share
// of requests sent to the ClusterIP is measured at each step against the step's weight.
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { BRIDGE_IP, REAL_NODE_NAME } from '../../../dev/stack/node-config.js';
import { eventually, kubeConfig, kubectl, useTestNamespace } from '../../support/cluster.js';
import { useController } from '../../support/controller.js';
import { createDemoApp, requireRealNode, ServiceLoad, setBehaviour } from '../../support/real-node.js';
import { cli, createResource, rolloutStatus, waitForStatus } from '../controller/fixtures.js';

requireRealNode();
const ns = useTestNamespace('real-pods');
useController(ns.name, ['--no-leader-elect']);
const kc = kubeConfig();

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function readyPods(app: string): Promise<number> {
  const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns.name, labelSelector: `app=${app}` });
  return pods.items.filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
}

/** Share of the last window's answered requests that came from `revision`. */
async function shareOver(load: ServiceLoad, revision: string, seconds: number): Promise<{ share: number; answered: number; failed: number }> {
  load.take();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const stats = load.take();
  const answered = Object.values(stats.byRevision).reduce((a, b) => a + b, 0);
  return { share: (stats.byRevision[revision] ?? 0) / Math.max(1, answered), answered, failed: stats.failed };
}

describe('pods on the real node', () => {
  it('run code on pod IPs of the stack bridge, Ready only once their probe passes', { timeout: 180_000 }, async () => {
    await createDemoApp(ns.name, 'hello', 3);
    await eventually('3 ready pods of hello', async () => ((await readyPods('hello')) === 3 ? true : undefined), { timeoutMs: 120_000 });
    const pods = (await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns.name, labelSelector: 'app=hello' })).items;
    const startSeconds: number[] = [];
    for (const pod of pods) {
      expect(pod.spec?.nodeName).toBe(REAL_NODE_NAME);
      expect(pod.status?.podIP).toMatch(new RegExp(`^${BRIDGE_IP.split('.').slice(0, 3).join('\\.')}\\.\\d+$`));
      const res = await fetch(`http://${pod.status?.podIP}:8080/healthz`);
      expect(res.status).toBe(200);
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime;
      const created = pod.metadata?.creationTimestamp;
      const started = pod.status?.containerStatuses?.[0]?.state?.running?.startedAt;
      // A real pod's container runs before its probe can pass (a kwok pod has no process).
      // Timestamps have one-second resolution, so a pod Ready within its first second shows 0 s.
      expect(started, `${pod.metadata?.name} has a running container`).toBeDefined();
      expect(pod.status?.containerStatuses?.[0]?.ready).toBe(true);
      if (ready && started) expect(new Date(ready).getTime()).toBeGreaterThanOrEqual(new Date(started).getTime());
      if (ready && created) startSeconds.push((new Date(ready).getTime() - new Date(created).getTime()) / 1000);
    }
    console.log(
      `pod start (create -> Ready), ${startSeconds.length} pods: median ${median(startSeconds).toFixed(1)} s, max ${Math.max(...startSeconds).toFixed(1)} s`,
    );
  });

  it('reports an adoption Healthy at once and Available only once its pods pass readiness', { timeout: 180_000 }, async () => {
    await createDemoApp(ns.name, 'warm', 0);
    // Pods that cannot be Ready for 15 s: long after the adoption, even on a loaded machine.
    const delay = [{ op: 'add', path: '/spec/template/spec/containers/0/readinessProbe/initialDelaySeconds', value: 15 }];
    expect((await kubectl(['patch', 'deployment/warm', '-n', ns.name, '--type=json', '-p', JSON.stringify(delay)])).code).toBe(0);
    await createResource(ns.name, 'Rollout', 'warm', { replicas: 2, workloadRef: { kind: 'Deployment', name: 'warm' }, strategy: { canary: { steps: [] } } });
    const healthy = await waitForStatus(ns.name, 'warm', 'adopted', (s) => s.phase === 'Healthy' && s.stableRevision !== undefined, 60_000);
    // Read after the status: no pod was ready when the controller wrote it.
    expect(await readyPods('warm')).toBe(0);
    expect(healthy.conditions?.find((c) => c.type === 'Available')).toMatchObject({ status: 'False', reason: 'ReadyReplicas' });

    const waited = await kubectl(['wait', '--for=condition=Available', 'rollouts.clairvoyance.dev/warm', '-n', ns.name, '--timeout=120s']);
    expect(waited.code, waited.stderr).toBe(0);
    expect(await readyPods('warm')).toBe(2);
    const status = await rolloutStatus(ns.name, 'warm');
    expect(status.readyReplicas).toBe(2);
    expect(status.conditions?.find((c) => c.type === 'Available')).toMatchObject({ status: 'True', message: '2 of 2 pods ready' });
  });

  it('adopts 4 serving pods without a gap, then splits Service traffic by the step weights', { timeout: 300_000 }, async () => {
    const ip = await createDemoApp(ns.name, 'shop', 4);
    await eventually('4 ready pods of shop', async () => ((await readyPods('shop')) === 4 ? true : undefined), { timeoutMs: 120_000 });
    const load = new ServiceLoad(ip).start();
    try {
      let minReady = Infinity;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          minReady = Math.min(minReady, await readyPods('shop'));
          await new Promise((r) => setTimeout(r, 500));
        }
      })();
      await createResource(ns.name, 'Rollout', 'shop', {
        replicas: 4,
        workloadRef: { kind: 'Deployment', name: 'shop' },
        strategy: { canary: { steps: [{ setWeight: 25 }, { pause: {} }, { setWeight: 50 }, { pause: {} }] } },
      });
      const adopted = await waitForStatus(ns.name, 'shop', 'adoption', (s) => s.adopted === true && s.phase === 'Healthy', 120_000);
      await eventually('Deployment scaled down', async () =>
        (await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'shop', namespace: ns.name })).spec?.replicas === 0 ? true : undefined,
      );
      sampling = false;
      await sampler;
      expect(minReady).toBeGreaterThanOrEqual(4);
      const adoptionLoad = load.take();
      expect(adoptionLoad.byStatus['200'] ?? 0).toBeGreaterThan(0);

      await setBehaviour(ns.name, 'shop', { latencyMs: 25 });
      const at25 = await waitForStatus(
        ns.name,
        'shop',
        'paused at 25%',
        (s) => s.currentStepIndex === 1 && s.phase === 'Paused' && (s.readyReplicas ?? 0) >= 4,
        120_000,
      );
      const canary = at25.canaryRevision!;
      expect(canary).not.toBe(adopted.stableRevision);
      const share25 = await shareOver(load, canary, 15);

      expect((await cli(['promote', 'shop', '-n', ns.name])).code).toBe(0);
      await waitForStatus(ns.name, 'shop', 'paused at 50%', (s) => s.currentStepIndex === 3 && s.phase === 'Paused' && (s.readyReplicas ?? 0) >= 4, 120_000);
      // Old endpoints leave the Service a moment after the step: measure once they have.
      await new Promise((r) => setTimeout(r, 2_000));
      const share50 = await shareOver(load, canary, 15);
      console.log(
        `canary share of Service requests: setWeight 25 -> ${(share25.share * 100).toFixed(1)}% of ${share25.answered}, ` +
          `setWeight 50 -> ${(share50.share * 100).toFixed(1)}% of ${share50.answered}`,
      );
      expect(Math.abs(share25.share - 0.25)).toBeLessThanOrEqual(0.08);
      expect(Math.abs(share50.share - 0.5)).toBeLessThanOrEqual(0.08);
      // Pods that leave keep serving until kube-proxy has dropped them: nothing is refused.
      expect(share25.failed + share50.failed).toBeLessThanOrEqual(Math.ceil((share25.answered + share50.answered) * 0.005));
      expect((await rolloutStatus(ns.name, 'shop')).weights?.canary).toBe(50);
    } finally {
      load.stop();
    }
  });
});
