// The chart in the cluster, on real pods: the locally built controller image runs as two
// replicas under the chart's ServiceAccount on the real node, one leads through its
// Lease, the API server calls the webhook through the chart's Service, and a Rollout in
// a gated namespace goes through a canary driven by the in-cluster controller. A shard
// (sharding.shards={a}) runs two more replicas under its own Lease and carries the
// Rollouts labelled for it. RBAC denials show up here, not in production.
import { randomBytes } from 'node:crypto';
import { CoordinationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROLLER_IMAGE, controllerImage } from '../../../dev/images/build.js';
import { REAL_NODE_NAME, realNodePlacement } from '../../../dev/stack/node-config.js';
import { importImage } from '../../../dev/stack/real-node.js';
import { helm } from '../../../dev/tools/helm.js';
import { CHART_DIR } from '../../../scripts/render-install.js';
import { readRegistration } from '../../../src/webhook/index.js';
import { SHARD_LABEL } from '../../../src/api/labels.js';
import { eventually, kubeConfig, kubeconfigPath, kubectl, useTestNamespace } from '../../support/cluster.js';
import { createDemoApp, requireRealNode, setBehaviour } from '../../support/real-node.js';
import { createResource, rolloutStatus, waitForStatus } from '../controller/fixtures.js';

requireRealNode();
const ns = useTestNamespace('chart-live');
const app = useTestNamespace('chart-live-app');
const release = `cvl-${randomBytes(3).toString('hex')}`;
const fullname = `${release}-clairvoyance`;
const kc = kubeConfig();
const [repository, tag] = CONTROLLER_IMAGE.split(/:(?=[^:]+$)/) as [string, string];

async function controllerPods(): Promise<{ name: string; node?: string; ready: boolean; shard?: string }[]> {
  const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns.name, labelSelector: `app.kubernetes.io/instance=${release}` });
  return pods.items
    .filter((p) => !p.metadata?.deletionTimestamp)
    .map((p) => ({
      name: p.metadata!.name!,
      ...(p.spec?.nodeName ? { node: p.spec.nodeName } : {}),
      ...(p.metadata?.labels?.[SHARD_LABEL] ? { shard: p.metadata.labels[SHARD_LABEL] } : {}),
      ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    }));
}

async function logsOfAll(): Promise<string> {
  const res = await kubectl(['logs', '-n', ns.name, '-l', `app.kubernetes.io/instance=${release}`, '--tail=-1', '--prefix']);
  return `${res.stdout}${res.stderr}`;
}

beforeAll(async () => {
  importImage(controllerImage());
  const labelled = await kubectl(['label', 'namespace', app.name, 'clairvoyance.dev/gated=true', '--overwrite']);
  if (labelled.code !== 0) throw new Error(labelled.stderr);
  const installed = await helm([
    'install',
    release,
    CHART_DIR,
    '-n',
    ns.name,
    '--skip-crds',
    '--kubeconfig',
    kubeconfigPath(),
    '--set',
    `image.repository=${repository},image.tag=${tag},image.pullPolicy=Never`,
    '--set',
    `controller.watchNamespaces={${app.name}}`,
    '--set',
    'sharding.shards={a}',
    '--set-json',
    `nodeSelector=${JSON.stringify(realNodePlacement.nodeSelector)}`,
    '--set-json',
    `tolerations=${JSON.stringify(realNodePlacement.tolerations)}`,
  ]);
  if (installed.code !== 0) throw new Error(`helm install failed: ${installed.stderr}`);
}, 300_000);

afterAll(async () => {
  await helm(['uninstall', release, '-n', ns.name, '--ignore-not-found', '--wait', '--kubeconfig', kubeconfigPath()]);
});

describe('the chart in the cluster, on the real node', () => {
  it('runs both replicas of each Deployment Ready on the real node, one leader per Lease', { timeout: 180_000 }, async () => {
    const pods = await eventually(
      'two unsharded and two shard-a replicas Ready',
      async () => {
        const p = await controllerPods();
        return p.length === 4 && p.every((x) => x.ready) && p.filter((x) => x.shard === 'a').length === 2 ? p : undefined;
      },
      { timeoutMs: 150_000 },
    ).catch(async (err: unknown) => {
      throw new Error(`${String(err)}\n${(await kubectl(['describe', 'pods', '-n', ns.name])).stdout.slice(-4000)}\n${await logsOfAll()}`);
    });
    for (const p of pods) expect(p.node).toBe(REAL_NODE_NAME);
    const holderOf = (lease: string): Promise<string> =>
      eventually(`a leader of ${lease}`, async () => {
        const l = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: lease, namespace: ns.name });
        return l.spec?.holderIdentity || undefined;
      });
    const holder = await holderOf(fullname);
    expect(pods.some((p) => p.shard === undefined && holder.startsWith(`${p.name}_`))).toBe(true);
    const shardHolder = await holderOf(`${fullname}-a`);
    expect(pods.some((p) => p.shard === 'a' && shardHolder.startsWith(`${p.name}_`))).toBe(true);
  });

  it('registers its webhook through the Service, and the API server calls it there to deny', async () => {
    const registration = await eventually('webhook registered', async () => {
      const r = await readRegistration(kc, fullname);
      return r.length === 2 ? r : undefined;
    });
    const services = registration.flatMap((c) => (c.webhooks ?? []).map((w) => w.clientConfig.service?.name));
    expect(new Set(services)).toEqual(new Set([`${fullname}-webhook`]));

    // Ready pods reach the Service's endpoints once kube-proxy has synced: until then the
    // API server meets "connection refused" at the ClusterIP, as in any cluster.
    await eventually(
      'the webhook answering through its Service',
      async () => {
        try {
          await createResource(app.name, 'ContextPolicy', 'owners', {
            enforcement: 'Enforce',
            rules: [{ id: 'owner-label', rationale: 'An unowned service pages nobody.', ownership: { labels: ['team'] } }],
          });
          return true;
        } catch (err) {
          if (String(err).includes('connection refused')) return undefined;
          throw err;
        }
      },
      { timeoutMs: 60_000 },
    );
    const unowned = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'unowned' },
      spec: { selector: { matchLabels: { app: 'u' } }, template: { metadata: { labels: { app: 'u' } }, spec: { containers: [{ name: 'a', image: 'x' }] } } },
    };
    const denied = await eventually('the webhook denies through the Service', async () => {
      const res = await kubectl(['apply', '-n', app.name, '-f', '-'], { input: JSON.stringify(unowned) });
      return res.code !== 0 && res.stderr.includes('owner-label') ? res.stderr : undefined;
    });
    expect(denied).toContain('denied the request');
  });

  it('drives canaries of real pods to promotion in a gated namespace, the labelled one by the shard', { timeout: 240_000 }, async () => {
    const canary = async (name: string, labels: Record<string, string>): Promise<void> => {
      await createDemoApp(app.name, name, 2, {}, { team: 'shop' });
      await createResource(
        app.name,
        'Rollout',
        name,
        {
          replicas: 2,
          workloadRef: { kind: 'Deployment', name },
          strategy: { canary: { steps: [{ setWeight: 50 }, { pause: { duration: '2s' } }] } },
          rollback: { scaleDownDelaySeconds: 0 },
        },
        labels,
      );
      const adopted = await waitForStatus(
        app.name,
        name,
        `adoption of ${name} by the in-cluster controller`,
        (s) => s.adopted === true && s.phase === 'Healthy',
        150_000,
      );
      await setBehaviour(app.name, name, { latencyMs: 30 });
      const promoted = await waitForStatus(
        app.name,
        name,
        `promotion of ${name}`,
        (s) => s.phase === 'Healthy' && s.stableRevision !== adopted.stableRevision,
        150_000,
      ).catch(async (err: unknown) => {
        throw new Error(`${String(err)}; status ${JSON.stringify(await rolloutStatus(app.name, name))}\n${(await logsOfAll()).slice(-4000)}`);
      });
      expect(promoted.reason).toBe('Promoted');
      expect(promoted.readyReplicas).toBe(2);
    };
    await Promise.all([canary('cart', {}), canary('basket', { [SHARD_LABEL]: 'a' })]);
    const reporters = async (name: string): Promise<Set<string>> => {
      const events = await kc
        .makeApiClient(CoreV1Api)
        .listNamespacedEvent({ namespace: app.name, fieldSelector: `involvedObject.name=${name},involvedObject.kind=Rollout` });
      return new Set(events.items.map((e) => e.reportingInstance ?? ''));
    };
    expect([...(await reporters('basket'))].every((r) => r.endsWith('/shard-a'))).toBe(true);
    expect([...(await reporters('cart'))].some((r) => r.endsWith('/shard-a'))).toBe(false);
    // The webhook, served by the unsharded Deployment, still sees the shard's Rollout: an
    // adopted Deployment scaled back up is held at 0 at admission.
    const scaled = await kubectl(['patch', 'deployment', 'basket', '-n', app.name, '--type=merge', '-p', '{"spec":{"replicas":2}}']);
    expect(scaled.code, scaled.stderr).toBe(0);
    const replicas = await kubectl(['get', 'deployment', 'basket', '-n', app.name, '-o', 'jsonpath={.spec.replicas}']);
    expect(replicas.stdout).toBe('0');
  });

  it('met no RBAC denial under its ServiceAccount', async () => {
    const logs = await logsOfAll();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toMatch(/forbidden|cannot (get|list|watch|create|patch|update) resource/i);
  });

  it('helm uninstall removes the pods and the webhook configurations', { timeout: 120_000 }, async () => {
    const res = await helm(['uninstall', release, '-n', ns.name, '--wait', '--kubeconfig', kubeconfigPath()]);
    expect(res.code, res.stderr).toBe(0);
    await eventually('registration gone', async () => ((await readRegistration(kc, fullname)).length === 0 ? true : undefined), { timeoutMs: 60_000 });
    await eventually('pods gone', async () => ((await controllerPods()).length === 0 ? true : undefined), { timeoutMs: 60_000 });
  });
});
