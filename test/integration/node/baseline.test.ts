// compare.against: baseline on real pods: the baseline is the stable template started with
// the canary at its size, found by pod discovery under its own revision label. A canary
// 3x slower than the baseline is rolled back, an equal one promoted, and the baseline is
// gone afterwards either way.
import { AppsV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { eventually, kubeConfig, useTestNamespace } from '../../support/cluster.js';
import { useController } from '../../support/controller.js';
import { createDemoApp, requireRealNode, ServiceLoad, setBehaviour } from '../../support/real-node.js';
import { createResource, rolloutStatus, waitForStatus } from '../controller/fixtures.js';

requireRealNode();
const ns = useTestNamespace('baseline');
useController(ns.name, ['--no-leader-elect']);
const kc = kubeConfig();

const p50 =
  'histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{job="kubernetes-pods",namespace="{{rollout.namespace}}",revision="{{revision}}"}[5s])))';

async function baselineReplicas(stable: string): Promise<number> {
  const sets = await kc
    .makeApiClient(AppsV1Api)
    .listNamespacedReplicaSet({ namespace: ns.name, labelSelector: `clairvoyance.dev/revision=${stable}-baseline` });
  return sets.items.reduce((n, rs) => n + (rs.spec?.replicas ?? 0) + (rs.status?.replicas ?? 0), 0);
}

describe('compare against a baseline', () => {
  it('promotes an equal canary and rolls back one 3x slower, with the baseline gone after each', { timeout: 420_000 }, async () => {
    await createResource(ns.name, 'AnalysisTemplate', 'latency-vs-baseline', {
      metrics: [
        {
          name: 'p50-vs-baseline',
          interval: '3s',
          count: 3,
          initialDelay: '12s',
          provider: { compare: { query: p50, against: 'baseline', window: '12s', step: '1s', direction: 'increase', maxRatio: 1.5, pValue: 0.05 } },
        },
      ],
    });
    const ip = await createDemoApp(ns.name, 'search', 4, { latencyMs: 20 });
    await createResource(ns.name, 'Rollout', 'search', {
      replicas: 4,
      workloadRef: { kind: 'Deployment', name: 'search' },
      strategy: { canary: { baseline: true, steps: [{ setWeight: 25 }, { analysis: { templates: [{ name: 'latency-vs-baseline' }] } }] } },
      rollback: { scaleDownDelaySeconds: 0 },
    });
    const load = new ServiceLoad(ip, 80, 60).start();
    try {
      const adopted = await waitForStatus(ns.name, 'search', 'adoption', (s) => s.adopted === true && s.phase === 'Healthy', 120_000);
      const stable1 = adopted.stableRevision!;

      // Equal: a new template whose pods behave as stable's.
      await setBehaviour(ns.name, 'search', { latencyMs: 20, telemetry: 'all' });
      const running = await waitForStatus(
        ns.name,
        'search',
        'a baseline beside the canary',
        (s) => s.currentStepIndex === 1 && s.baselineRevision === `${stable1}-baseline`,
        120_000,
      );
      expect(await baselineReplicas(stable1)).toBeGreaterThan(0);
      const promoted = await waitForStatus(ns.name, 'search', 'promotion', (s) => s.phase !== 'Progressing' && s.stableRevision !== stable1, 150_000).catch(
        async (err: unknown) => {
          throw new Error(`${String(err)}; status ${JSON.stringify(await rolloutStatus(ns.name, 'search'))}`);
        },
      );
      expect(promoted.phase, promoted.message).toBe('Healthy');
      expect(promoted.stableRevision).toBe(running.canaryRevision);
      expect(promoted.baselineRevision).toBeUndefined();
      await eventually('the first baseline gone', async () => ((await baselineReplicas(stable1)) === 0 ? true : undefined), { timeoutMs: 60_000 });

      // 3x slower than the baseline: rolled back by the comparison.
      const stable2 = promoted.stableRevision!;
      await setBehaviour(ns.name, 'search', { latencyMs: 60 });
      const st = await waitForStatus(
        ns.name,
        'search',
        'rollback',
        (s) => s.phase === 'Degraded' || (s.phase === 'Healthy' && s.stableRevision !== stable2),
        150_000,
      );
      expect(st.phase, st.message).toBe('Degraded');
      expect(st.reason).toBe('AnalysisFailed');
      expect(st.message).toContain('p50-vs-baseline');
      expect(st.stableRevision).toBe(stable2);
      await eventually('the second baseline gone', async () => ((await baselineReplicas(stable2)) === 0 ? true : undefined), { timeoutMs: 60_000 });
    } finally {
      load.stop();
    }
  });
});
