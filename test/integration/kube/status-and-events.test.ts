import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { CoreV1Event, KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeEventRecorder, REPORTING_CONTROLLER } from '../../../src/kube/events.js';
import { Informer } from '../../../src/kube/informer.js';
import { StaleGuard } from '../../../src/kube/stale-guard.js';
import { StatusWriter } from '../../../src/kube/status-writer.js';
import type { ObjectRef } from '../../../src/kube/status-writer.js';
import { eventually, kubeConfig, kubectl, useTestNamespace } from '../../support/cluster.js';
import { startFaultProxy } from './fault-proxy.js';

const ns = useTestNamespace('kube-status');

const GROUP = 'test.clairvoyance.dev';
const PLURAL = 'statuswidgets';
const CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${PLURAL}.${GROUP}
spec:
  group: ${GROUP}
  scope: Namespaced
  names: { plural: ${PLURAL}, singular: statuswidget, kind: StatusWidget, listKind: StatusWidgetList }
  versions:
    - name: v1
      served: true
      storage: true
      subresources: { status: {} }
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: { type: object, x-kubernetes-preserve-unknown-fields: true }
            status: { type: object, x-kubernetes-preserve-unknown-fields: true }
`;

interface Widget extends KubernetesObject {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

const resource = { group: GROUP, version: 'v1', plural: PLURAL };

beforeAll(async () => {
  const applied = await kubectl(['apply', '-f', '-'], { input: CRD });
  expect(applied.stderr).toBe('');
  const waited = await kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/${PLURAL}.${GROUP}`]);
  expect(waited.code).toBe(0);
  // Discovery can trail the Established condition by a moment.
  await eventually('CRD served', async () => {
    await kubeConfig().makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: GROUP, version: 'v1', namespace: ns.name, plural: PLURAL });
    return true;
  });
});

afterAll(async () => {
  await kubectl(['delete', 'crd', `${PLURAL}.${GROUP}`, '--ignore-not-found', '--wait=false']);
});

async function createWidget(name: string): Promise<Widget> {
  return (await kubeConfig()
    .makeApiClient(CustomObjectsApi)
    .createNamespacedCustomObject({
      group: GROUP,
      version: 'v1',
      namespace: ns.name,
      plural: PLURAL,
      body: { apiVersion: `${GROUP}/v1`, kind: 'StatusWidget', metadata: { name }, spec: { replicas: 1 } },
    })) as Widget;
}

async function getWidget(name: string): Promise<Widget> {
  return (await kubeConfig()
    .makeApiClient(CustomObjectsApi)
    .getNamespacedCustomObject({ group: GROUP, version: 'v1', namespace: ns.name, plural: PLURAL, name })) as Widget;
}

describe('StatusWriter against the real API server', () => {
  it('writes only the /status subresource, only when the status differs', async () => {
    const created = await createWidget('w1');
    const writer = new StatusWriter(kubeConfig());
    const ref: ObjectRef = { ...resource, namespace: ns.name, name: 'w1' };

    const first = await writer.patchStatusIfChanged<Widget>(ref, created.status, {
      phase: 'Progressing',
      step: 1,
      conditions: [{ type: 'Ready', status: 'False' }],
      stale: 'x',
    });
    expect(first?.status?.phase).toBe('Progressing');
    const rv1 = first?.metadata?.resourceVersion;
    expect(rv1).toBeDefined();

    // Same status with keys in another order: no request, nothing returned, object untouched.
    const same = await writer.patchStatusIfChanged<Widget>(ref, first?.status, {
      stale: 'x',
      conditions: [{ status: 'False', type: 'Ready' }],
      step: 1,
      phase: 'Progressing',
    });
    expect(same).toBeUndefined();
    expect((await getWidget('w1')).metadata?.resourceVersion).toBe(rv1);

    // A change writes just the difference; a dropped member is removed.
    const second = await writer.patchStatusIfChanged<Widget>(
      ref,
      first?.status,
      { phase: 'Healthy', step: 1, conditions: [{ type: 'Ready', status: 'True' }] },
      { resourceVersion: rv1 },
    );
    expect(second?.status).toEqual({ phase: 'Healthy', step: 1, conditions: [{ type: 'Ready', status: 'True' }] });

    // The status subresource ignores spec: the writer cannot touch it.
    expect((await getWidget('w1')).spec).toEqual({ replicas: 1 });
  });

  it('refuses a write based on an outdated resourceVersion (409), so a stale view never overwrites', async () => {
    const created = await createWidget('w2');
    const writer = new StatusWriter(kubeConfig());
    const ref: ObjectRef = { ...resource, namespace: ns.name, name: 'w2' };
    await writer.patchStatusIfChanged<Widget>(ref, undefined, { phase: 'A' });
    await expect(
      writer.patchStatusIfChanged<Widget>(ref, undefined, { phase: 'B' }, { resourceVersion: created.metadata?.resourceVersion }),
    ).rejects.toMatchObject({ statusCode: 409 });
    expect((await getWidget('w2')).status).toEqual({ phase: 'A' });
  });

  it('records its writes in the stale guard; a lagging cache is stale until the informer delivers the write', async () => {
    const proxy = await startFaultProxy(kubeConfig());
    const guard = new StaleGuard();
    // The informer goes through a proxy so the test can hold its watch back, like a lagging cache.
    const informer = new Informer<Widget>(proxy.kubeConfig(), { resource, namespace: ns.name, staleAfterMs: 1_500 });
    const detach = guard.attach(informer);
    try {
      const created = await createWidget('w3');
      informer.start();
      await eventually('w3 cached', async () => (informer.get(ns.name, 'w3') ? true : undefined));
      await eventually('watch open', async () => (proxy.watchCount() === 1 ? true : undefined));
      proxy.silenceOpenWatches();

      const writer = new StatusWriter(kubeConfig(), { guard });
      const written = await writer.patchStatusIfChanged<Widget>({ ...resource, namespace: ns.name, name: 'w3' }, undefined, {
        phase: 'Progressing',
      });
      const key = `${ns.name}/w3`;
      const cached = informer.get(ns.name, 'w3');
      expect(cached?.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
      // The cached copy predates our write: a reconcile must not act on it.
      expect(guard.isStale(key, cached?.metadata?.resourceVersion)).toBe(true);
      expect(guard.unsettled).toBe(1);
      // The watchdog restarts the silent watch, which delivers the written version.
      await eventually(
        'cache catches up',
        async () => (informer.get(ns.name, 'w3')?.metadata?.resourceVersion === written?.metadata?.resourceVersion ? true : undefined),
        { timeoutMs: 15_000 },
      );
      expect(guard.unsettled).toBe(0);
      expect(guard.isStale(key, informer.get(ns.name, 'w3')?.metadata?.resourceVersion)).toBe(false);
    } finally {
      detach();
      await informer.stop();
      await proxy.close();
    }
  });
});

describe('KubeEventRecorder against the real API server', () => {
  async function eventsFor(name: string): Promise<CoreV1Event[]> {
    const list = await kubeConfig()
      .makeApiClient(CoreV1Api)
      .listNamespacedEvent({ namespace: ns.name, fieldSelector: `involvedObject.name=${name}` });
    return list.items;
  }

  it('records Events about an object and aggregates repeats into a count', async () => {
    const widget = await createWidget('ev1');
    const recorder = new KubeEventRecorder(kubeConfig(), { instance: 'test-replica' });
    await recorder.event(widget, 'Normal', 'StepStarted', 'step 1 of 3 started');
    await Promise.all([
      recorder.event(widget, 'Normal', 'StepStarted', 'step 1 of 3 started'),
      recorder.event(widget, 'Normal', 'StepStarted', 'step 1 of 3 started'),
    ]);
    await recorder.event(widget, 'Warning', 'AnalysisFailed', 'error rate 7% > 5%');

    const events = await eventsFor('ev1');
    expect(events).toHaveLength(2);
    const started = events.find((e) => e.reason === 'StepStarted');
    expect(started).toMatchObject({
      type: 'Normal',
      message: 'step 1 of 3 started',
      count: 3,
      reportingComponent: REPORTING_CONTROLLER,
      reportingInstance: 'test-replica',
      source: { component: REPORTING_CONTROLLER },
      involvedObject: { kind: 'StatusWidget', name: 'ev1', namespace: ns.name, uid: widget.metadata?.uid, apiVersion: `${GROUP}/v1` },
    });
    const failed = events.find((e) => e.reason === 'AnalysisFailed');
    expect(failed).toMatchObject({ type: 'Warning', count: 1 });
  });

  it('never throws into the caller when the API rejects the event', async () => {
    const warnings: string[] = [];
    const recorder = new KubeEventRecorder(kubeConfig(), {
      logger: { debug() {}, info() {}, error() {}, warn: (_o, msg) => warnings.push(msg) },
    });
    // Namespace that does not exist: the create fails with 404.
    const ghost = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'no-such-namespace-kube-test', uid: 'u' } };
    await expect(recorder.event(ghost, 'Normal', 'Test', 'hello')).resolves.toBeUndefined();
    expect(warnings).toEqual(['failed to record event']);
  });
});
