// A template whose provider cannot be built (here: a credential Secret that is never
// resolved) fails its own analysis at the first measurement, naming template, metric and
// field, with an Event; the controller keeps serving every other Rollout meanwhile.
import { CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { eventually, kubeConfig, kubectl, useTestNamespace } from '../../support/cluster.js';
import { useController } from '../../support/controller.js';
import { createApp, setImage, waitForStatus } from './fixtures.js';

const ns = useTestNamespace('broken-analysis');
const controller = useController(ns.name, ['--no-leader-elect']);

const template = (namespace: string) => ({
  apiVersion: 'clairvoyance.dev/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'needs-token', namespace },
  spec: {
    metrics: [
      {
        name: 'error-rate',
        interval: '30s',
        successCondition: 'result < 0.05',
        provider: {
          prometheus: {
            address: 'https://prometheus.example:9090',
            query: 'vector(0)',
            authentication: { bearerTokenSecretRef: { name: 'prom-token', key: 'token' } },
          },
        },
      },
    ],
  },
});

describe('an analysis whose provider cannot be built', () => {
  it('goes Degraded within one interval naming template, metric and field, while another Rollout completes its canary', async () => {
    expect((await kubectl(['apply', '-f', '-'], { input: JSON.stringify(template(ns.name)) })).code).toBe(0);
    await createApp(ns.name, 'broken', [{ setWeight: 50 }, { analysis: { templates: [{ name: 'needs-token' }] } }], { rollback: { scaleDownDelaySeconds: 0 } });
    await createApp(ns.name, 'healthy', [{ setWeight: 50 }, { pause: { duration: '2s' } }]);
    for (const name of ['broken', 'healthy'])
      await waitForStatus(ns.name, name, `${name} adopted`, (s) => s.phase === 'Healthy' && s.stableRevision !== undefined);

    await setImage(ns.name, 'broken', 'registry.example/broken:2');
    await setImage(ns.name, 'healthy', 'registry.example/healthy:2');
    const started = Date.now();
    const degraded = await waitForStatus(ns.name, 'broken', 'Degraded', (s) => s.phase === 'Degraded', 30_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${controller.get().logs().slice(-3000)}`);
    });
    // Within one interval (30 s): the first measurement decides, no retries with backoff.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(degraded.reason).toBe('AnalysisFailed');
    expect(degraded.message).toContain('AnalysisTemplate needs-token, metric "error-rate"');
    expect(degraded.message).toContain('provider.prometheus.authentication.bearerTokenSecretRef');
    expect(degraded.weights).toEqual({ canary: 0, stable: 100 });
    const metric = degraded.analysisRuns?.flatMap((r) => r.metrics).find((m) => m.name === 'error-rate');
    expect(metric?.phase).toBe('Error');
    expect(metric?.error).toBe(1);

    const promoted = await waitForStatus(ns.name, 'healthy', 'the other canary promoted', (s) => s.phase === 'Healthy' && s.reason === 'Promoted', 60_000);
    expect(promoted.stableRevision).toBe(promoted.canaryRevision);

    const events = await eventually('a RolledBack event naming the field', async () => {
      const list = await kubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: ns.name, fieldSelector: 'involvedObject.name=broken' });
      return list.items.find((e) => e.reason === 'RolledBack' && e.message?.includes('bearerTokenSecretRef'));
    });
    expect(events.type).toBe('Warning');
    // It never failed the reconcile itself.
    expect(controller.get().logs()).not.toMatch(/"key":"[^"]+\/broken"[^\n]*reconcile failed/);
  });
});
