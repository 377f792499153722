// A revision whose real pods fail 20% of requests, found by Prometheus through
// Kubernetes pod discovery alone (the query keeps to the kubernetes-pods job, so no
// file target can stand in), is rolled back by the error-rate analysis.
import { CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { eventually, kubeConfig, useTestNamespace } from '../../support/cluster.js';
import { useController } from '../../support/controller.js';
import { instantQuery } from '../../support/prometheus.js';
import { createDemoApp, requireRealNode, ServiceLoad, setBehaviour } from '../../support/real-node.js';
import { createResource, rolloutStatus, waitForStatus } from '../controller/fixtures.js';

requireRealNode();
const ns = useTestNamespace('pod-sd');
useController(ns.name, ['--no-leader-elect']);
const kc = kubeConfig();

const CANARY = 'job="kubernetes-pods",namespace="{{rollout.namespace}}",service="{{args.service}}",revision="{{canary.revision}}"';

describe('error-rate analysis on pods found by pod discovery', () => {
  it('rolls back a revision whose pods fail 20% of requests', { timeout: 300_000 }, async () => {
    await createResource(ns.name, 'AnalysisTemplate', 'error-rate', {
      args: [{ name: 'service' }],
      metrics: [
        {
          name: 'error-rate',
          interval: '3s',
          count: 5,
          initialDelay: '5s',
          successCondition: 'result < 0.05',
          failureCondition: 'result >= 0.1',
          provider: {
            prometheus: {
              query: `(sum(rate(http_requests_total{${CANARY},code=~"5.."}[15s])) or vector(0)) / sum(rate(http_requests_total{${CANARY}}[15s]))`,
            },
          },
        },
      ],
    });
    const ip = await createDemoApp(ns.name, 'pay', 4);
    await eventually(
      '4 ready pods',
      async () => {
        const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns.name, labelSelector: 'app=pay' });
        return pods.items.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 4 ? true : undefined;
      },
      { timeoutMs: 120_000 },
    );
    await createResource(ns.name, 'Rollout', 'pay', {
      replicas: 4,
      workloadRef: { kind: 'Deployment', name: 'pay' },
      strategy: {
        canary: {
          steps: [{ setWeight: 50 }, { analysis: { templates: [{ name: 'error-rate' }], args: [{ name: 'service', value: 'pay' }] } }, { pause: {} }],
        },
      },
      rollback: { scaleDownDelaySeconds: 0 },
    });
    const load = new ServiceLoad(ip).start();
    try {
      const adopted = await waitForStatus(ns.name, 'pay', 'adoption', (s) => s.adopted === true && s.phase === 'Healthy', 120_000);
      await setBehaviour(ns.name, 'pay', { errorRate: 0.2 });
      const st = await waitForStatus(ns.name, 'pay', 'rollback', (s) => s.phase === 'Degraded', 180_000).catch(async (err: unknown) => {
        throw new Error(`${String(err)}; last status ${JSON.stringify(await rolloutStatus(ns.name, 'pay'))}`);
      });
      expect(st.reason).toBe('AnalysisFailed');
      expect(st.message).toContain('metric "error-rate" failed');
      const canary = st.canaryRevision!;
      expect(canary).not.toBe(adopted.stableRevision);
      // The series came from pod discovery, labelled from the pod's own revision label.
      const series = await instantQuery(`http_requests_total{job="kubernetes-pods",namespace="${ns.name}",revision="${canary}"}`);
      expect(series.length).toBeGreaterThan(0);
      expect(series[0]?.metric.pod).toMatch(/^pay-/);
      const files = await instantQuery(`http_requests_total{job="file-targets",namespace="${ns.name}"}`);
      expect(files).toEqual([]);
      // Stable serves everything again.
      await eventually(
        'stable only',
        async () => {
          const pods = await kc
            .makeApiClient(CoreV1Api)
            .listNamespacedPod({ namespace: ns.name, labelSelector: `app=pay,clairvoyance.dev/revision=${canary}` });
          return pods.items.length === 0 ? true : undefined;
        },
        { timeoutMs: 60_000 },
      );
      load.take();
      await new Promise((r) => setTimeout(r, 5_000));
      const after = load.take();
      expect(after.byStatus['500'] ?? 0).toBe(0);
      expect(after.byStatus['200'] ?? 0).toBeGreaterThan(100);
    } finally {
      load.stop();
    }
  });
});
