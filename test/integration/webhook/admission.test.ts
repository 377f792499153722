// The real kube-apiserver calls the webhook over TLS at its loopback URL.
import { randomBytes } from 'node:crypto';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/telemetry/logger.js';
import { deleteWebhookConfigurations, startWebhook, type RunningWebhook } from '../../../src/webhook/index.js';
import { eventually, kubeConfig, kubectl, useTestNamespace } from '../../support/cluster.js';
import { LivePolicySource } from './live-source.js';

const RUN = randomBytes(3).toString('hex');
const RUN_LABEL = 'clairvoyance.dev/webhook-test-run';
const CONFIG_NAME = `clairvoyance-webhook-it-${RUN}`;
const enforced = useTestNamespace('wh-enforce');
const warned = useTestNamespace('wh-warn');
const system = useTestNamespace('wh-system');

const kc = kubeConfig();
const source = new LivePolicySource(kc);
const registry = new Registry();
let webhook: RunningWebhook | undefined;

const policyRules = [
  { id: 'owner', rationale: 'INC-4711: an unowned service paged nobody for 3 hours.', reference: 'https://adr.example/17', ownership: { labels: ['team'] } },
  { id: 'behind-flag', rationale: 'Generated code reaches users only behind a kill switch.', rolloutConvention: { requireFlag: true } },
  { id: 'metrics-wired', rationale: 'A canary that is not scraped cannot be judged.', observability: { metrics: true } },
];

function policy(name: string, namespace: string, enforcement: string) {
  return {
    apiVersion: 'clairvoyance.dev/v1alpha1',
    kind: 'ContextPolicy',
    metadata: { name, namespace },
    spec: { enforcement, match: { origins: ['ai-generated'] }, rules: policyRules },
  };
}

function deployment(
  name: string,
  opts: { origin?: string; labels?: Record<string, string>; annotations?: Record<string, string>; metricsPort?: boolean; replicas?: number } = {},
) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name, ...opts.labels } },
    spec: {
      replicas: opts.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations: { ...(opts.origin ? { 'clairvoyance.dev/origin': opts.origin } : {}), ...opts.annotations } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'registry.example.com/app:1',
              ports: opts.metricsPort ? [{ name: 'metrics', containerPort: 9090 }] : [{ containerPort: 8080 }],
            },
          ],
        },
      },
    },
  };
}

async function apply(namespace: string, obj: object, extra: string[] = []) {
  await source.refresh();
  return kubectl(['apply', '-n', namespace, ...extra, '-f', '-'], { input: JSON.stringify(obj) });
}

beforeAll(async () => {
  for (const ns of [enforced.name, warned.name]) {
    const labelled = await kubectl(['label', 'namespace', ns, 'clairvoyance.dev/gated=true', `${RUN_LABEL}=${RUN}`, '--overwrite']);
    expect(labelled.code, labelled.stderr).toBe(0);
  }
  for (const [name, ns, mode] of [
    ['ai-context', enforced.name, 'Enforce'],
    ['ai-context', warned.name, 'Warn'],
  ] as const) {
    const res = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(policy(name, ns, mode)) });
    expect(res.code, res.stderr).toBe(0);
  }
  const contracts = {
    apiVersion: 'clairvoyance.dev/v1alpha1',
    kind: 'ContextPolicy',
    metadata: { name: 'contracts', namespace: enforced.name },
    spec: { rules: [{ id: 'protect-consumers', rationale: 'INC-812: v1 was removed while billing still called it.', contract: {} }] },
  };
  expect((await kubectl(['apply', '-f', '-'], { input: JSON.stringify(contracts) })).code).toBe(0);
  await source.refresh();
  source.startPolling(1_000);
  webhook = await startWebhook({
    kubeConfig: kc,
    port: 0,
    host: '127.0.0.1',
    namespace: system.name,
    source,
    logger: createLogger('warn'),
    registry,
    configurationName: CONFIG_NAME,
    // Scoped to this file's namespaces: other suites share the API server.
    namespaceRequirements: [{ key: RUN_LABEL, operator: 'In', values: [RUN] }],
    unregisterOnClose: true,
    auditIntervalMs: 2_000,
  });
  // The API server picks up new webhook configurations asynchronously.
  await eventually('webhook active', async () => {
    const res = await apply(enforced.name, deployment('probe', { origin: 'ai-generated' }), ['--dry-run=server']);
    return res.code !== 0 && res.stderr.includes('behind-flag') ? true : undefined;
  });
});

afterAll(async () => {
  source.stop();
  await webhook?.close().catch(() => undefined);
  // Never leave a Fail-policy webhook behind, even if close failed.
  await deleteWebhookConfigurations(kc, CONFIG_NAME);
});

describe('admission webhook against the API server', () => {
  it('denies an ai-generated Deployment missing owner, flag and metrics, listing rule, rationale and fix', async () => {
    const res = await apply(enforced.name, deployment('generated', { origin: 'ai-generated' }));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('denied the request');
    for (const id of ['owner', 'behind-flag', 'metrics-wired']) expect(res.stderr).toContain(`[${id}]`);
    expect(res.stderr).toContain('why: INC-4711');
    expect(res.stderr).toContain('fix: set metadata.labels["team"] on the Deployment');
    expect(res.stderr).toContain('fix: name the metrics port "metrics"');
    const got = await kubectl(['get', 'deployment', 'generated', '-n', enforced.name]);
    expect(got.code).not.toBe(0);
  });

  it('honours server-side dry runs with the same verdict', async () => {
    const res = await apply(enforced.name, deployment('generated', { origin: 'ai-generated' }), ['--dry-run=server']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('[owner]');
  });

  it('admits the same change under a Warn policy and kubectl prints the warnings', async () => {
    const res = await apply(warned.name, deployment('generated', { origin: 'ai-generated' }));
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/Warning: \[owner\] label team is missing/);
    expect(res.stderr).toMatch(/Warning: \[behind-flag\]/);
    expect(res.stderr).toMatch(/Warning: \[metrics-wired\]/);
  });

  it('admits a compliant ai-generated change and stamps admitted-at', async () => {
    const d = deployment('compliant', {
      origin: 'ai-generated',
      labels: { team: 'payments' },
      annotations: { 'clairvoyance.dev/flag': 'new-checkout' },
      metricsPort: true,
    });
    const res = await apply(enforced.name, d);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).not.toContain('Warning');
    const stamp = await kubectl([
      'get',
      'deployment',
      'compliant',
      '-n',
      enforced.name,
      '-o',
      'jsonpath={.metadata.annotations.clairvoyance\\.dev/admitted-at}',
    ]);
    expect(stamp.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('admits a human-origin change under the ai-generated-only policy', async () => {
    const res = await apply(enforced.name, deployment('handwritten', { origin: 'human' }));
    expect(res.code, res.stderr).toBe(0);
  });

  it('denies dropping orders-api@v1 while another Deployment consumes it, naming the consumer', async () => {
    // A name unique to this run: other workloads on the shared cluster may provide orders-api@v1 too.
    const api = `orders-api-${enforced.name}`;
    const provides = (v: string) => deployment('orders', { origin: 'human', annotations: { 'clairvoyance.dev/provides': v } });
    expect((await apply(enforced.name, provides(`${api}@v1,${api}@v2`))).code).toBe(0);
    const billing = deployment('billing', { origin: 'human', annotations: { 'clairvoyance.dev/consumes': `${api}@v1` } });
    expect((await apply(warned.name, billing)).code).toBe(0);
    // The source polls every second; read now so the consumer is known before the change.
    await source.refresh();
    const res = await apply(enforced.name, provides(`${api}@v2`));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(`[protect-consumers] drops ${api}@v1, still consumed by ${warned.name}/billing`);
    expect(res.stderr).toContain('why: INC-812');
  });

  it('keeps a handed-over Deployment at zero replicas, and leaves one whose pods still serve', async () => {
    const rollout = {
      apiVersion: 'clairvoyance.dev/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'adopted', namespace: warned.name },
      spec: { workloadRef: { kind: 'Deployment', name: 'adopted' }, strategy: { canary: { steps: [{ setWeight: 50 }] } } },
    };
    expect((await kubectl(['apply', '-f', '-'], { input: JSON.stringify(rollout) })).code).toBe(0);
    const replicas = async () => (await kubectl(['get', 'deployment', 'adopted', '-n', warned.name, '-o', 'jsonpath={.spec.replicas}'])).stdout;
    // Adoption not complete: the Deployment's pods are the only ones serving.
    let res = await apply(warned.name, deployment('adopted', { origin: 'human', replicas: 3 }));
    expect(res.code, res.stderr).toBe(0);
    expect(await replicas()).toBe('3');
    // Handed over (as the controller records it): a re-applied count goes back to zero.
    const patched = await kubectl([
      'patch',
      'rollouts.clairvoyance.dev',
      'adopted',
      '-n',
      warned.name,
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"adopted":true}}',
    ]);
    expect(patched.code, patched.stderr).toBe(0);
    res = await apply(warned.name, deployment('adopted', { origin: 'human', replicas: 3, labels: { tier: 'web' } }));
    expect(res.code, res.stderr).toBe(0);
    expect(await replicas()).toBe('0');
  });

  it('denies a Rollout that fails semantic validation', async () => {
    const bad = {
      apiVersion: 'clairvoyance.dev/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'no-flag', namespace: enforced.name },
      spec: { workloadRef: { kind: 'Deployment', name: 'x' }, strategy: { canary: { steps: [{ setFlag: { percent: 10 } }] } } },
    };
    const res = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(bad) });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('setFlag step but spec.flag is not set');
  });

  it('audits existing Deployments into the policy status and metrics', async () => {
    const api = kc.makeApiClient(CustomObjectsApi);
    const audit = await eventually('audit results in status', async () => {
      const p = (await api.getNamespacedCustomObject({
        group: 'clairvoyance.dev',
        version: 'v1alpha1',
        namespace: warned.name,
        plural: 'contextpolicies',
        name: 'ai-context',
      })) as {
        status?: { audit?: { violations?: number; results?: Array<{ name: string; ruleId: string }> } };
      };
      return (p.status?.audit?.violations ?? 0) > 0 ? p.status?.audit : undefined;
    });
    expect(audit.results).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'generated', ruleId: 'owner' })]));
    const metrics = await registry.metrics();
    expect(metrics).toMatch(new RegExp(`clairvoyance_policy_violations\\{policy="ContextPolicy/${warned.name}/ai-context",rule="owner"\\} 1`));
    expect(metrics).toMatch(/clairvoyance_admission_reviews_total\{operation="CREATE",allowed="false"\} [1-9]/);
    expect(metrics).toMatch(/clairvoyance_webhook_denials_total\{rule="owner"\} [1-9]/);
  });
});
