// The foundation's acceptance: the real control plane schedules and readies Pods
// on kwok nodes, serves custom resources, and Prometheus scrapes file-SD targets.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppsV1Api, ApiextensionsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { Gauge, Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { addScrapeTarget, eventually, externalClusterWithoutPrometheus, kubeConfig, kubectl, useTestNamespace } from '../../support/cluster.js';
import { instantQuery } from '../../support/prometheus.js';

const ns = useTestNamespace('stack');

describe('local stack', () => {
  it('runs a Deployment of 3 replicas to 3 ready replicas on kwok nodes', async () => {
    const apps = kubeConfig().makeApiClient(AppsV1Api);
    const labels = { app: 'three' };
    await apps.createNamespacedDeployment({
      namespace: ns.name,
      body: {
        metadata: { name: 'three' },
        spec: {
          replicas: 3,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] } },
        },
      },
    });
    const ready = await eventually(
      '3 ready replicas',
      async () => {
        const d = await apps.readNamespacedDeployment({ name: 'three', namespace: ns.name });
        return d.status?.readyReplicas === 3 ? d.status.readyReplicas : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(ready).toBe(3);
    const pods = await kubectl(['get', 'pods', '-n', ns.name, '-o', 'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}']);
    expect(pods.code).toBe(0);
    for (const node of pods.stdout.trim().split('\n')) expect(node).toMatch(/^kwok-node-\d+$/);
  });

  it('serves a CustomResourceDefinition and a custom resource of it', async () => {
    const group = `t${randomBytes(3).toString('hex')}.stack.clairvoyance.dev`;
    const ext = kubeConfig().makeApiClient(ApiextensionsV1Api);
    await ext.createCustomResourceDefinition({
      body: {
        metadata: { name: `widgets.${group}` },
        spec: {
          group,
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1 } } } } } },
            },
          ],
        },
      },
    });
    try {
      const custom = kubeConfig().makeApiClient(CustomObjectsApi);
      const created = await eventually(
        'the CRD to be served',
        async () =>
          (await custom.createNamespacedCustomObject({
            group,
            version: 'v1',
            namespace: ns.name,
            plural: 'widgets',
            body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w' }, spec: { size: 3 } },
          })) as { spec: { size: number } },
        { timeoutMs: 30_000 },
      );
      expect(created.spec.size).toBe(3);
      const rejected = await kubectl(['apply', '-n', ns.name, '-f', '-'], {
        input: JSON.stringify({ apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'bad' }, spec: { size: 0 } }),
      });
      expect(rejected.code).not.toBe(0);
      expect(rejected.stderr).toContain('spec.size');
    } finally {
      await ext.deleteCustomResourceDefinition({ name: `widgets.${group}` });
    }
  });

  describe.skipIf(externalClusterWithoutPrometheus())('Prometheus', () => {
    let server: Server | undefined;
    let removeTarget: (() => void) | undefined;
    afterAll(() => {
      removeTarget?.();
      server?.close();
    });

    it('scrapes a target added through the file-SD directory', async () => {
      const registry = new Registry();
      const probe = new Gauge({ name: 'clairvoyance_stack_probe', help: 'a value the test sets', registers: [registry] });
      probe.set(42);
      server = createServer((_req, res) => {
        void registry.metrics().then((body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body));
      });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      const run = randomBytes(4).toString('hex');
      removeTarget = addScrapeTarget(`stack-test-${run}`, [`127.0.0.1:${port}`], { revision: run });
      const samples = await eventually(
        'the probe series in Prometheus',
        async () => {
          const result = await instantQuery(`clairvoyance_stack_probe{revision="${run}"}`);
          return result.length > 0 ? result : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      expect(samples[0]?.value[1]).toBe('42');
    });
  });
});
