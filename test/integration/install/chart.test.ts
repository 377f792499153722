// The Helm chart against the real API server: lint, render, server-side dry run, a real
// install into a fresh namespace (the Pods land on kwok nodes; no image is pulled), and
// the service account's permissions checked with `kubectl auth can-i`.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helm } from '../../../dev/tools/helm.js';
import { CHART_DIR, INSTALL_NAMESPACE, INSTALL_YAML, renderInstall } from '../../../scripts/render-install.js';
import { eventually, kubeConfig, kubeconfigPath, kubectl, useTestNamespace } from '../../support/cluster.js';
import { instantQuery } from '../../support/prometheus.js';
import { promqlSyntaxError } from '../../unit/install/dashboard-queries.js';
import { documents, find, renderChart, type Manifest } from './render.js';
import { controllerPermissions, describePermission, resourceAttributes } from '../../../src/api/permissions.js';
import { applyWebhookConfigurations, clusterRoleAsOwner, readRegistration, WEBHOOK_TLS_SECRET } from '../../../src/webhook/index.js';
import { KINDS } from '../../../src/api/index.js';

const ns = useTestNamespace('install');
const other = useTestNamespace('install-other');
// Cluster-scoped objects carry the release name: unique per run, removed in afterAll.
const release = `cv-${randomBytes(3).toString('hex')}`;
const fullname = `${release}-clairvoyance`;
const sa = `system:serviceaccount:${ns.name}:${fullname}`;
const MONITORING = ['serviceMonitor.enabled=true', 'prometheusRule.enabled=true'];

let rendered = '';
let docs: Manifest[] = [];

beforeAll(async () => {
  rendered = await renderChart(release, ns.name);
  docs = documents(rendered);
});

afterAll(async () => {
  await kubectl(['delete', 'clusterrolebinding', fullname, '--ignore-not-found', '--wait=false']);
  await kubectl(['delete', 'clusterrole', fullname, '--ignore-not-found', '--wait=false']);
});

interface Container {
  args: string[];
  securityContext: Record<string, unknown>;
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface PodSpec {
  securityContext: Record<string, unknown>;
  containers: Container[];
  topologySpreadConstraints?: unknown[];
  affinity?: { podAntiAffinity?: unknown };
}
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

const podSpec = (d: Manifest): PodSpec => (d.spec as { template: { spec: PodSpec } }).template.spec;
const rules = (d: Manifest): Rule[] => d.rules as Rule[];

describe('helm chart', () => {
  it('passes helm lint --strict, with and without the monitoring objects', async () => {
    for (const set of [[], MONITORING]) {
      const res = await helm(['lint', '--strict', CHART_DIR, ...set.flatMap((s) => ['--set', s])]);
      expect(res.code, `${res.stdout}\n${res.stderr}`).toBe(0);
    }
  });

  it('renders a hardened Deployment wired for leader election and the webhook', () => {
    const deployment = find(docs, 'Deployment', fullname);
    expect((deployment.spec as { replicas: number }).replicas).toBe(2);
    const pod = podSpec(deployment);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    const [container] = pod.containers;
    expect(container!.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container!.args[0]).toBe('run');
    expect(container!.args).toEqual(
      expect.arrayContaining([
        `--leader-election-namespace=${ns.name}`,
        `--controller-namespace=${ns.name}`,
        `--webhook-service=${fullname}-webhook`,
        `--webhook-configuration-name=${fullname}`,
        '--metrics-port=8080',
        '--health-port=8081',
        '--webhook-port=9443',
        `--webhook-owner-clusterrole=${fullname}`,
      ]),
    );
    expect(container!.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container!.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container!.resources.requests).toBeDefined();
    expect(container!.resources.limits?.memory).toBeDefined();
    expect(pod.topologySpreadConstraints?.length).toBeGreaterThan(0);
    expect(pod.affinity?.podAntiAffinity).toBeDefined();
  });

  it('renders the Services, the PodDisruptionBudget and the dashboard ConfigMap, and no webhook configuration', () => {
    const webhook = find(docs, 'Service', `${fullname}-webhook`).spec as { ports: { port: number; targetPort: string }[] };
    expect(webhook.ports).toEqual([expect.objectContaining({ port: 443, targetPort: 'webhook' })]);
    const metrics = find(docs, 'Service', `${fullname}-metrics`).spec as { ports: { port: number }[] };
    expect(metrics.ports[0]!.port).toBe(8080);
    expect((find(docs, 'PodDisruptionBudget').spec as { minAvailable: number }).minAvailable).toBe(1);
    const dashboard = find(docs, 'ConfigMap', `${fullname}-dashboard`);
    expect(dashboard.metadata.labels?.grafana_dashboard).toBe('1');
    const json = (dashboard.data as Record<string, string>)['clairvoyance.json']!;
    expect(JSON.parse(json)).toEqual(JSON.parse(readFileSync(`${CHART_DIR}/dashboards/clairvoyance.json`, 'utf8')));
    // The controller registers these itself, with the caBundle of the CA it keeps.
    expect(docs.filter((d) => /WebhookConfiguration$/.test(d.kind))).toEqual([]);
    expect(docs.filter((d) => d.kind === 'ServiceMonitor' || d.kind === 'PrometheusRule')).toEqual([]);
  });

  it('grants no wildcard, no delete but of its own Change records, no RBAC but a read of its own ClusterRole, and no secrets cluster-wide', () => {
    const clusterRules = rules(find(docs, 'ClusterRole', fullname));
    for (const r of clusterRules) {
      expect(r.verbs, JSON.stringify(r)).not.toContain('*');
      expect(r.resources, JSON.stringify(r)).not.toContain('*');
      // The ledger's retention deletes expired Changes; nothing else is ever deleted.
      if (r.verbs.includes('delete')) expect(r).toEqual({ apiGroups: ['clairvoyance.dev'], resources: ['changes'], verbs: ['create', 'delete'] });
      // Only to read its own uid, the owner of the webhook configurations.
      if (r.apiGroups.includes('rbac.authorization.k8s.io'))
        expect(r).toEqual({ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: [fullname], verbs: ['get'] });
      expect(r.resources, JSON.stringify(r)).not.toContain('secrets');
    }
    const role = find(docs, 'Role', fullname);
    expect(role.metadata.namespace).toBe(ns.name);
    const secretRules = rules(role).filter((r) => r.resources.includes('secrets'));
    for (const r of secretRules) {
      if (!(r.verbs.length === 1 && r.verbs[0] === 'create')) expect(r.resourceNames).toEqual(['clairvoyance-webhook-tls']);
    }
  });

  it('grants get on the Secret names analysis.secretNames lists, and nothing more', async () => {
    const withSecrets = documents(await renderChart(release, ns.name, ['analysis.secretNames={prom-token,prom-basic}']));
    const secretRules = rules(find(withSecrets, 'ClusterRole', fullname)).filter((r) => r.resources.includes('secrets'));
    expect(secretRules).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: ['prom-token', 'prom-basic'], verbs: ['get'] }]);
  });

  it('renders one more Deployment per shard: its own Lease, no webhook, pods no Service selects', async () => {
    const sharded = documents(await renderChart(release, ns.name, ['sharding.shards={a,eu-west}']));
    expect(sharded.filter((d) => d.kind === 'Deployment').map((d) => d.metadata.name)).toEqual([fullname, `${fullname}-shard-a`, `${fullname}-shard-eu-west`]);
    const shard = find(sharded, 'Deployment', `${fullname}-shard-a`);
    const args = podSpec(shard).containers[0]!.args;
    expect(args).toEqual(expect.arrayContaining(['--shard=a', '--no-webhook', `--lease-name=${fullname}`]));
    expect(args.some((a) => a.startsWith('--webhook-port'))).toBe(false);
    // The main Deployment is rendered exactly as without shards.
    expect(find(sharded, 'Deployment', fullname)).toEqual(find(docs, 'Deployment', fullname));
    // No Service (the webhook's, the metrics') and no other Deployment selects a shard's pods.
    const podLabels = (shard.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    const selects = (selector: Record<string, string>): boolean => Object.entries(selector).every(([k, v]) => podLabels[k] === v);
    for (const svc of sharded.filter((d) => d.kind === 'Service')) expect(selects((svc.spec as { selector: Record<string, string> }).selector)).toBe(false);
    expect(selects((find(sharded, 'Deployment', fullname).spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels)).toBe(false);
    const leaseRule = rules(find(sharded, 'Role', fullname)).find((r) => r.resources.includes('leases') && r.resourceNames);
    expect(leaseRule?.resourceNames).toEqual([fullname, `${fullname}-a`, `${fullname}-eu-west`]);
  });

  it('refuses a shard name that is not a label value, and shards without leader election', async () => {
    await expect(renderChart(release, ns.name, ['sharding.shards={a,Bad_}'])).rejects.toThrow(
      /sharding\.shards\[1\]: "Bad_" is not a valid clairvoyance\.dev\/shard label value/,
    );
    await expect(renderChart(release, ns.name, ['sharding.shards={a}', 'leaderElection.enabled=false', 'replicaCount=1'])).rejects.toThrow(
      /sharding\.shards needs leaderElection\.enabled/,
    );
  });

  it('renders the ServiceMonitor and alerts whose PromQL parses and runs', async () => {
    const monitored = documents(await renderChart(release, ns.name, MONITORING));
    const monitor = find(monitored, 'ServiceMonitor').spec as { endpoints: { port: string }[] };
    expect(monitor.endpoints[0]!.port).toBe('metrics');
    expect(monitored.filter((d) => d.kind === 'PodMonitor')).toEqual([]);
    // Shard pods sit behind no Service: a PodMonitor selects exactly them, by the labels of their pod template.
    const sharded = documents(await renderChart(release, ns.name, [...MONITORING, 'sharding.shards={a}']));
    const pods = find(sharded, 'PodMonitor').spec as { selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: { port: string }[] };
    expect(pods.podMetricsEndpoints[0]!.port).toBe('metrics');
    const shardDeployment = sharded.find((d) => d.kind === 'Deployment' && d.metadata.name.endsWith('-shard-a'));
    const podLabels = (shardDeployment?.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    expect(podLabels).toMatchObject(pods.selector.matchLabels);
    const mainDeployment = sharded.find((d) => d.kind === 'Deployment' && !d.metadata.name.includes('-shard-'));
    const mainLabels = (mainDeployment?.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    expect(mainLabels).not.toMatchObject(pods.selector.matchLabels);
    const groups = (find(monitored, 'PrometheusRule').spec as { groups: { rules: { alert: string; expr: string }[] }[] }).groups;
    const alerts = groups.flatMap((g) => g.rules);
    expect(alerts.map((a) => a.alert)).toEqual(
      expect.arrayContaining([
        'ClairvoyanceRolloutDegraded',
        'ClairvoyanceGateDenialsSpike',
        'ClairvoyanceAdmissionErrors',
        'ClairvoyanceControllerDown',
        'ClairvoyanceGateClosed',
      ]),
    );
    for (const a of alerts) {
      expect(promqlSyntaxError(a.expr), `${a.alert}: ${a.expr}`).toBeUndefined();
      await expect(instantQuery(a.expr), a.alert).resolves.toBeInstanceOf(Array);
    }
  });

  it('manifests/install.yaml is the chart as rendered now', async () => {
    const expected = await renderInstall();
    const actual = readFileSync(INSTALL_YAML, 'utf8');
    if (actual !== expected) throw new Error('manifests/install.yaml is out of date with charts/clairvoyance: run npm run render:install');
    const installDocs = documents(actual);
    expect(installDocs[0]).toMatchObject({ kind: 'Namespace', metadata: { name: INSTALL_NAMESPACE } });
    expect(installDocs.filter((d) => d.kind === 'CustomResourceDefinition')).toHaveLength(Object.keys(KINDS).length);
    for (const d of installDocs) if (d.metadata.namespace !== undefined) expect(d.metadata.namespace, `${d.kind}/${d.metadata.name}`).toBe(INSTALL_NAMESPACE);
  });
});

describe('chart on the API server', () => {
  it('passes a server-side dry run, then installs', async () => {
    const dry = await kubectl(['apply', '--server-side', '--field-manager=install-tests', '--dry-run=server', '-f', '-'], { input: rendered });
    expect(dry.code, dry.stderr).toBe(0);
    const applied = await kubectl(['apply', '--server-side', '--field-manager=install-tests', '-f', '-'], { input: rendered });
    expect(applied.code, applied.stderr).toBe(0);
    for (const obj of [
      `deployment/${fullname}`,
      `serviceaccount/${fullname}`,
      `role/${fullname}`,
      `service/${fullname}-webhook`,
      `poddisruptionbudget/${fullname}`,
    ]) {
      const got = await kubectl(['get', '-n', ns.name, obj, '-o', 'name']);
      expect(got.code, `${obj}: ${got.stderr}`).toBe(0);
    }
  });

  it('schedules both replicas (on kwok nodes)', async () => {
    const nodes = await eventually(
      'both controller Pods scheduled',
      async () => {
        const res = await kubectl(['get', 'pods', '-n', ns.name, '-l', `app.kubernetes.io/instance=${release}`, '-o', 'jsonpath={.items[*].spec.nodeName}']);
        const names = res.stdout.split(' ').filter(Boolean);
        return names.length === 2 ? names : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(nodes).toHaveLength(2);
  });

  const can = async (args: string[]): Promise<boolean> => {
    const res = await kubectl(['auth', 'can-i', ...args, `--as=${sa}`]);
    const answer = res.stdout.trim().split('\n').pop();
    if (answer !== 'yes' && answer !== 'no') throw new Error(`kubectl auth can-i ${args.join(' ')}: ${res.stdout}${res.stderr}`);
    return answer === 'yes';
  };

  it.each([
    ['list rollouts cluster-wide', ['list', 'rollouts.clairvoyance.dev', '--all-namespaces']],
    ['watch clustercontextpolicies', ['watch', 'clustercontextpolicies.clairvoyance.dev']],
    ['patch rollouts/status', ['patch', 'rollouts.clairvoyance.dev', '--subresource=status', '-n', other.name]],
    ['create replicasets', ['create', 'replicasets.apps', '-n', other.name]],
    ['patch deployments', ['patch', 'deployments.apps', '-n', other.name]],
    ['create events', ['create', 'events', '-n', other.name]],
    ['patch flagd ConfigMaps', ['patch', 'configmaps', '-n', other.name]],
    ['get its webhook TLS Secret', ['get', 'secret/clairvoyance-webhook-tls', '-n', ns.name]],
    ['create secrets in its namespace', ['create', 'secrets', '-n', ns.name]],
    ['create leases in its namespace', ['create', 'leases.coordination.k8s.io', '-n', ns.name]],
    ['update its lease', ['update', `lease/${fullname}`, '-n', ns.name]],
    ['create webhook configurations', ['create', 'validatingwebhookconfigurations.admissionregistration.k8s.io']],
    ['patch its webhook configuration', ['patch', `mutatingwebhookconfigurations.admissionregistration.k8s.io/${fullname}`]],
  ])('CAN %s', async (_what, args) => {
    expect(await can(args)).toBe(true);
  });

  /** A SubjectAccessReview for the chart's ServiceAccount, asked of the API server directly. */
  const allowed = async (resourceAttributes: Record<string, string>): Promise<boolean> => {
    const review = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: sa, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns.name}`, 'system:authenticated'], resourceAttributes },
    };
    const res = await kubectl(['create', '-o', 'json', '-f', '-'], { input: JSON.stringify(review) });
    expect(res.code, res.stderr).toBe(0);
    return (JSON.parse(res.stdout) as { status: { allowed: boolean } }).status.allowed;
  };

  // The list `clairvoyance doctor` checks is the controller's whole surface; the chart grants all of it.
  it('grants every permission the controller needs (the list doctor checks)', async () => {
    const needed = controllerPermissions({ lease: fullname, webhookConfiguration: fullname, tlsSecret: WEBHOOK_TLS_SECRET });
    const denied: string[] = [];
    for (const p of needed) if (!(await allowed(resourceAttributes(p, ns.name)))) denied.push(describePermission(p));
    expect(denied).toEqual([]);
  });

  // `can-i` resolves resources through discovery, and the OpenFeature CRD is not installed
  // on the stack, so this one asks the API server directly with a SubjectAccessReview.
  it('CAN patch FeatureFlags (SubjectAccessReview)', async () => {
    expect(await allowed({ group: 'core.openfeature.dev', resource: 'featureflags', verb: 'patch', namespace: other.name })).toBe(true);
  });

  it.each([
    ['get secrets in another namespace', ['get', 'secrets', '-n', other.name]],
    ['get a named secret in another namespace', ['get', 'secret/clairvoyance-webhook-tls', '-n', other.name]],
    ['list secrets cluster-wide', ['list', 'secrets', '--all-namespaces']],
    ['list secrets in its own namespace', ['list', 'secrets', '-n', ns.name]],
    ['get another secret in its own namespace', ['get', 'secret/someone-elses', '-n', ns.name]],
    ['create clusterroles', ['create', 'clusterroles.rbac.authorization.k8s.io']],
    ['create clusterrolebindings', ['create', 'clusterrolebindings.rbac.authorization.k8s.io']],
    ['create rolebindings', ['create', 'rolebindings.rbac.authorization.k8s.io', '-n', ns.name]],
    ['escalate clusterroles', ['escalate', 'clusterroles.rbac.authorization.k8s.io']],
    ['bind clusterroles', ['bind', 'clusterroles.rbac.authorization.k8s.io']],
    ['escalate roles in its namespace', ['escalate', 'roles.rbac.authorization.k8s.io', '-n', ns.name]],
    ['bind roles in its namespace', ['bind', 'roles.rbac.authorization.k8s.io', '-n', ns.name]],
    ['delete namespaces', ['delete', 'namespaces']],
    ['delete replicasets', ['delete', 'replicasets.apps', '-n', other.name]],
    ['update deployments', ['update', 'deployments.apps', '-n', other.name]],
    ['patch another webhook configuration', ['patch', 'validatingwebhookconfigurations.admissionregistration.k8s.io/someone-elses']],
    ['create pods', ['create', 'pods', '-n', other.name]],
    ['impersonate', ['impersonate', 'serviceaccounts', '-n', other.name]],
  ])('CANNOT %s', async (_what, args) => {
    expect(await can(args)).toBe(false);
  });
});

// helm uninstall must not leave a gate behind: the controller registers its configurations
// owned by the release's ClusterRole, so garbage collection removes them with it. On kwok
// the chart's Pods run no code, so the registration is made here by the same function the
// controller calls at start.
describe('helm install and uninstall', () => {
  const helmNs = useTestNamespace('install-helm');
  const helmRelease = `cvh-${randomBytes(3).toString('hex')}`;
  const helmFullname = `${helmRelease}-clairvoyance`;

  afterAll(async () => {
    await helm(['uninstall', helmRelease, '-n', helmNs.name, '--ignore-not-found', '--kubeconfig', kubeconfigPath()]);
  });

  it('removes the webhook configurations the controller registered', async () => {
    const installed = await helm(['install', helmRelease, CHART_DIR, '-n', helmNs.name, '--skip-crds', '--kubeconfig', kubeconfigPath()]);
    expect(installed.code, installed.stderr).toBe(0);
    const kc = kubeConfig();
    const owner = await clusterRoleAsOwner(kc, helmFullname);
    await applyWebhookConfigurations(kc, {
      name: helmFullname,
      caBundle: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n',
      target: { service: { name: `${helmFullname}-webhook`, namespace: helmNs.name, port: 443 } },
      controllerNamespace: helmNs.name,
      // Matches no namespace: this registration must not gate anything while it exists.
      namespaceRequirements: [{ key: 'clairvoyance.dev/never', operator: 'In', values: ['true'] }],
      owner,
    });
    expect((await readRegistration(kc, helmFullname)).map((c) => c.metadata?.ownerReferences?.[0]?.uid)).toEqual([owner.uid, owner.uid]);

    const uninstalled = await helm(['uninstall', helmRelease, '-n', helmNs.name, '--wait', '--kubeconfig', kubeconfigPath()]);
    expect(uninstalled.code, uninstalled.stderr).toBe(0);
    await eventually(
      'garbage collection removes both configurations',
      async () => ((await readRegistration(kc, helmFullname)).length === 0 ? true : undefined),
      {
        timeoutMs: 60_000,
      },
    );
  });
});
