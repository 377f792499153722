// traffic.gatewayAPI through a real Gateway (Traefik, out of cluster on loopback) to pods
// on the real node: exact weights independent of pod counts, a header route to the canary
// at weight 0, the Gateway's verdict on the route read back, and a failed analysis taking
// the canary's share to 0 before its pods go.
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { eventually, kubeConfig, kubectl, useTestNamespace } from '../../support/cluster.js';
import { useController } from '../../support/controller.js';
import { GatewayLoad } from '../../support/gateway-load.js';
import { countRevisions, shareOf, useGateway } from '../../support/gateway.js';
import { createDemoApp, requireRealNode, setBehaviour } from '../../support/real-node.js';
import { cli, createResource, rolloutStatus, waitForStatus } from '../controller/fixtures.js';
import { createTemplate, errorRateMetric } from '../analysis-e2e/templates.js';

requireRealNode();
const ns = useTestNamespace('gateway');
useController(ns.name, ['--no-leader-elect']);
const gateway = useGateway({ namespace: ns.name });
const kc = kubeConfig();
const HEADER = { name: 'X-Canary', value: 'always' };

type RouteObject = {
  metadata: { generation?: number; managedFields?: { manager?: string; fieldsV1?: { 'f:spec'?: Record<string, unknown> } }[] };
  spec: { rules?: { name?: string; backendRefs?: { name: string; weight?: number }[] }[] };
};

async function readRoute(name: string): Promise<RouteObject> {
  return (await kc
    .makeApiClient(CustomObjectsApi)
    .getNamespacedCustomObject({ group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes', namespace: ns.name, name })) as RouteObject;
}

/** The route as a GitOps tool would apply it: attached to the Gateway, its one rule to the app's Service. */
async function applyRoute(name: string, backendRefs: { name: string; port: number }[]): Promise<void> {
  const route = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: ns.name },
    spec: {
      parentRefs: [{ name: gateway.current().gateway.name, namespace: gateway.current().gateway.namespace }],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs }],
    },
  };
  const res = await kubectl(['apply', '--server-side', '--field-manager=gitops', '-f', '-'], { input: JSON.stringify(route) });
  if (res.code !== 0) throw new Error(`applying HTTPRoute ${name}: ${res.stderr}`);
}

async function canaryPodIps(app: string, revision: string): Promise<string[]> {
  const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns.name, labelSelector: `app=${app},clairvoyance.dev/revision=${revision}` });
  return pods.items.map((p) => p.status?.podIP).filter((x): x is string => !!x);
}

describe('traffic.gatewayAPI through Traefik', () => {
  it('sets exact weights, routes a header to the canary at weight 0, and takes the weight back on a failed analysis', { timeout: 600_000 }, async () => {
    await createTemplate(ns.name, 'error-rate', { metrics: [errorRateMetric({ count: 5, initialDelay: '3s' })] });
    await createDemoApp(ns.name, 'web', 4, { latencyMs: 5 });
    await applyRoute('web', [{ name: 'web', port: 80 }]);
    await createResource(ns.name, 'Rollout', 'web', {
      replicas: 4,
      workloadRef: { kind: 'Deployment', name: 'web' },
      strategy: {
        canary: {
          traffic: { gatewayAPI: { httpRoutes: [{ name: 'web' }], service: 'web' } },
          steps: [
            { setCanaryScale: { replicas: 2 } },
            { setHeaderRoute: { name: 'testers', headers: [HEADER] } },
            { pause: {} },
            { setWeight: 5 },
            { pause: {} },
            { setWeight: 25 },
            { pause: {} },
            { setWeight: 50 },
            { pause: {} },
            { analysis: { templates: [{ name: 'error-rate' }] } },
          ],
        },
      },
      rollback: { scaleDownDelaySeconds: 0 },
    });
    const adopted = await waitForStatus(ns.name, 'web', 'adoption', (s) => s.adopted === true && s.phase === 'Healthy', 180_000);
    const url = gateway.current().url;
    const load = new GatewayLoad(url);
    try {
      // Healthy: the controller took the rule over; everything goes to stable.
      await eventually('the route weighted to stable', async () => {
        const refs = (await readRoute('web')).spec.rules?.[0]?.backendRefs ?? [];
        return refs.some((b) => b.name === 'web-stable' && b.weight === 100) ? true : undefined;
      });
      await waitForStatus(ns.name, 'web', 'the route accepted', (s) => s.conditions?.some((c) => c.type === 'TrafficRouted' && c.status === 'True') ?? false);
      // The Gateway applies what it accepted within moments; from then on stable serves all.
      await eventually('stable serving every request', async () =>
        (await countRevisions(url, 100)).byRevision[adopted.stableRevision!] === 100 ? true : undefined,
      );
      expect(shareOf(await countRevisions(url, 200), adopted.stableRevision!)).toBe(1);

      // A new revision: 2 canary pods, the header route, weight 0.
      await setBehaviour(ns.name, 'web', { latencyMs: 6 });
      const atHeader = await waitForStatus(ns.name, 'web', 'paused with the header route', (s) => s.currentStepIndex === 2 && s.phase === 'Paused', 180_000);
      const canary = atHeader.canaryRevision!;
      expect(canary).not.toBe(adopted.stableRevision);
      expect(await canaryPodIps('web', canary)).toHaveLength(2);
      // Accepted comes a moment before the Gateway serves it.
      await eventually('the header route serving', async () =>
        (await countRevisions(url, 20, { headers: { [HEADER.name]: HEADER.value } })).byRevision[canary] === 20 ? true : undefined,
      );
      const withHeader = await countRevisions(url, 200, { headers: { [HEADER.name]: HEADER.value } });
      const without = await countRevisions(url, 400);
      expect(shareOf(withHeader, canary)).toBe(1);
      expect(shareOf(without, canary)).toBe(0);
      expect(withHeader.failed + without.failed).toBe(0);

      // The controller owns spec.rules; the GitOps tool keeps parentRefs.
      const managers = (await readRoute('web')).metadata.managedFields ?? [];
      expect(managers.find((m) => m.manager === 'clairvoyance-traffic')?.fieldsV1?.['f:spec']).toHaveProperty('f:rules');
      expect(managers.find((m) => m.manager === 'gitops')?.fieldsV1?.['f:spec']).toHaveProperty('f:parentRefs');

      const measured: string[] = [];
      for (const [weight, step] of [
        [5, 4],
        [25, 6],
        [50, 8],
      ] as const) {
        expect((await cli(['promote', 'web', '-n', ns.name])).code).toBe(0);
        const promotedAt = Date.now();
        const st = await waitForStatus(ns.name, 'web', `paused at weight ${weight}`, (s) => s.currentStepIndex === step && s.phase === 'Paused', 120_000);
        expect(st.weights?.canary).toBe(weight);
        const countedAfterMs = Date.now() - promotedAt;
        // From the weight counted in status to the Gateway serving it: windows of 100 until one is near the weight.
        await eventually(`the Gateway serving weight ${weight}`, async () =>
          Math.abs(shareOf(await countRevisions(url, 100), canary) * 100 - weight) <= 3 ? true : undefined,
        );
        const servedAfterMs = Date.now() - promotedAt;
        const counts = await countRevisions(url, 2000, { concurrency: 16 });
        expect(counts.failed).toBe(0);
        const got = shareOf(counts, canary) * 100;
        measured.push(
          `setWeight ${weight}: ${got.toFixed(2)}% of 2000 (counted in status ${(countedAfterMs / 1000).toFixed(2)} s, served ${(servedAfterMs / 1000).toFixed(2)} s after promote)`,
        );
        expect(Math.abs(got - weight)).toBeLessThanOrEqual(3);
        // Pod counts stay where setCanaryScale put them, whatever the weight.
        expect(await canaryPodIps('web', canary)).toHaveLength(2);
      }
      console.log(`canary share through the Gateway, 2 canary and 4 stable pods: ${measured.join('; ')}`);

      // A failing canary: the analysis fails, the weight leaves the canary, then its pods go.
      load.start(50);
      await Promise.all(
        (await canaryPodIps('web', canary)).map((ip) =>
          fetch(`http://${ip}:8080/control`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errorRate: 0.6 }) }),
        ),
      );
      expect((await cli(['promote', 'web', '-n', ns.name])).code).toBe(0);
      const failed = await waitForStatus(ns.name, 'web', 'rollback', (s) => s.phase === 'Degraded', 120_000);
      expect(failed.reason).toBe('AnalysisFailed');
      const failedAt = Date.parse(
        failed.analysisRuns
          ?.flatMap((r) => r.metrics.flatMap((m) => m.measurements))
          .filter((m) => m.phase === 'Failed')
          .map((m) => m.finishedAt ?? m.startedAt)
          .sort()
          .at(-1) ?? failed.cycle!.rolledBackAt!,
      );
      await eventually('canary pods gone', async () => ((await canaryPodIps('web', canary)).length === 0 ? true : undefined), { timeoutMs: 60_000 });
      await new Promise((r) => setTimeout(r, 1_000));
      await load.stop();
      const lastCanary = load.answers.filter((a) => a.revision === canary).at(-1)?.at ?? failedAt;
      const afterDrain = load.answers.filter((a) => a.at > lastCanary);
      console.log(
        `failed measurement -> last canary answer through the Gateway: ${((lastCanary - failedAt) / 1000).toFixed(2)} s; ` +
          `${load.failed} of ${load.answers.length + load.failed} requests failed at the transport`,
      );
      expect(lastCanary - failedAt).toBeLessThanOrEqual(3_000);
      expect(afterDrain.length).toBeGreaterThan(0);
      expect(afterDrain.every((a) => a.status === 200)).toBe(true);
      // The weight left before the pods did: no request met a pod that was going away.
      expect(load.failed).toBe(0);
      expect(load.answers.filter((a) => a.status === 502 || a.status === 503)).toEqual([]);
      const route = await readRoute('web');
      expect(route.spec.rules?.some((r) => r.name?.startsWith('clairvoyance-'))).toBe(false);
      expect(route.spec.rules?.[0]?.backendRefs?.find((b) => b.name === 'web-canary')?.weight).toBe(0);
    } finally {
      await load.stop();
    }
  });

  it("pauses on a route the Gateway does not accept, with the Gateway's reason, and resumes once it is fixed", { timeout: 300_000 }, async () => {
    await createDemoApp(ns.name, 'shop', 2);
    // The rule also names a Service that does not exist: the Gateway cannot resolve it.
    await applyRoute('shop', [
      { name: 'shop', port: 80 },
      { name: 'missing', port: 80 },
    ]);
    await createResource(ns.name, 'Rollout', 'shop', {
      replicas: 2,
      workloadRef: { kind: 'Deployment', name: 'shop' },
      strategy: { canary: { traffic: { gatewayAPI: { httpRoutes: [{ name: 'shop' }], service: 'shop' } }, steps: [{ setWeight: 50 }, { pause: {} }] } },
    });
    await waitForStatus(ns.name, 'shop', 'adoption', (s) => s.adopted === true && s.phase === 'Healthy', 180_000);
    await setBehaviour(ns.name, 'shop', { latencyMs: 2 });
    const paused = await waitForStatus(ns.name, 'shop', 'paused on the route', (s) => s.reason === 'RouteNotAccepted', 180_000);
    expect(paused.phase).toBe('Paused');
    expect(paused.message).toMatch(/HTTPRoute shop not accepted: ResolvedRefs=False/);
    expect(paused.weights?.canary ?? 0).toBe(0);

    // The user drops the broken backend: the rollout goes on by itself.
    const refs = (await readRoute('shop')).spec.rules?.[0]?.backendRefs ?? [];
    const broken = refs.findIndex((b) => b.name === 'missing');
    expect(broken).toBeGreaterThanOrEqual(0);
    const res = await kubectl([
      'patch',
      'httproute/shop',
      '-n',
      ns.name,
      '--type=json',
      '-p',
      JSON.stringify([{ op: 'remove', path: `/spec/rules/0/backendRefs/${broken}` }]),
    ]);
    expect(res.code, res.stderr).toBe(0);
    const resumed = await waitForStatus(ns.name, 'shop', 'weight 50 accepted', (s) => s.phase === 'Paused' && s.currentStepIndex === 1, 120_000);
    expect(resumed.weights?.canary).toBe(50);
    expect((await rolloutStatus(ns.name, 'shop')).reason).toBe('PausedForPromotion');
  });
});
