// A reconcile against the real API server produces the expected spans, exported
// through an in-memory exporter registered like the OTLP one in production.
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClairvoyance, type RunningClairvoyance } from '../../../src/main.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { registerTracing, type TracingHandle } from '../../../src/telemetry/otel-sdk.js';
import { kubeconfigPath, useTestNamespace } from '../../support/cluster.js';
import { createApp, waitForStatus } from './fixtures.js';

const ns = useTestNamespace('tracing');
const exporter = new InMemorySpanExporter();
let tracing: TracingHandle;
let controller: RunningClairvoyance;

beforeAll(async () => {
  tracing = registerTracing([new SimpleSpanProcessor({ exporter })]);
  controller = await startClairvoyance(
    {
      kubeconfig: kubeconfigPath(),
      namespaces: [ns.name],
      workers: 2,
      bindAddress: '127.0.0.1',
      metricsPort: 0,
      healthPort: 0,
      leaderElect: false,
      leaseName: 'unused',
      logLevel: 'silent',
    },
    silentLogger,
  );
});
afterAll(async () => {
  await controller?.stop();
  await tracing?.shutdown();
});

describe('reconcile spans', () => {
  it('a reconcile that adopts a Deployment emits reconcile, ReplicaSet create and status patch spans', async () => {
    await createApp(ns.name, 'traced', [{ setWeight: 50 }]);
    await waitForStatus(ns.name, 'traced', 'adoption', (s) => s.phase === 'Healthy');
    const spans = exporter.getFinishedSpans();
    const reconciles = spans.filter((s) => s.name === 'rollout.reconcile' && s.attributes['rollout.name'] === 'traced');
    expect(reconciles.length).toBeGreaterThan(0);
    for (const r of reconciles) expect(r.attributes['k8s.namespace.name']).toBe(ns.name);
    // Several reconciles may run (the first may only record the Change); the one that
    // adopts creates the stable ReplicaSet and patches status within its own trace.
    const traceOf = (id: string): string[] => spans.filter((s) => s.spanContext().traceId === id).map((s) => s.name);
    const adopting = reconciles.map((r) => traceOf(r.spanContext().traceId)).find((names) => names.includes('kube.create'));
    expect(adopting).toEqual(expect.arrayContaining(['rollout.reconcile', 'kube.create', 'kube.patch_status']));
  });
});
