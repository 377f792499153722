// The webhook's registration lives exactly as long as something answers it: `clairvoyance
// run` out of cluster removes it on SIGINT, a new run replaces one left by a killed run,
// and `clairvoyance doctor` names a dead one with the command that fixes it.
import { randomBytes } from 'node:crypto';
import { AdmissionregistrationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../src/doctor/check.js';
import { readRegistration } from '../../../src/webhook/index.js';
import { cli, rolloutStatus, waitForStatus } from '../controller/fixtures.js';
import { loopbackWebhookArgs, startController, type ControllerProcess } from '../../support/controller.js';
import { eventually, kubeConfig, kubectl, prometheusUrl, useTestNamespace } from '../../support/cluster.js';

const RUN = randomBytes(3).toString('hex');
const CONFIG = `clairvoyance-lifecycle-${RUN}`;
const LEASE = `clairvoyance-lifecycle-${RUN}`;
const ns = useTestNamespace('wh-life');
const ungated = useTestNamespace('wh-life-open');
const controllerNs = useTestNamespace('wh-life-ctl');
const kc = kubeConfig();

let controller: ControllerProcess | undefined;

/** `clairvoyance run` with its webhook on loopback, registered as CONFIG. */
const runWithWebhook = (election: string[]): ControllerProcess =>
  startController(`${ns.name},${ungated.name}`, [...loopbackWebhookArgs(CONFIG, controllerNs.name), ...election]);

function start(): ControllerProcess {
  controller = runWithWebhook(['--leader-election-namespace', controllerNs.name, '--lease-name', LEASE]);
  return controller;
}

const policy = {
  apiVersion: 'clairvoyance.dev/v1alpha1',
  kind: 'ContextPolicy',
  metadata: { name: 'owners', namespace: '' },
  spec: {
    enforcement: 'Enforce',
    rules: [{ id: 'owner-label', rationale: 'INC-2231: an unowned service paged nobody.', ownership: { labels: ['team'] } }],
  },
};

function deployment(name: string, image: string, team?: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name, ...(team ? { team } : {}) } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
    },
  };
}

const apply = (obj: object, namespace = ns.name, extra: string[] = []) =>
  kubectl(['apply', '-n', namespace, ...extra, '-f', '-'], { input: JSON.stringify(obj) });

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

async function doctor(): Promise<{ code: number; checks: CheckResult[] }> {
  const res = await cli([
    'doctor',
    '-o',
    'json',
    '-n',
    ns.name,
    '--controller-namespace',
    controllerNs.name,
    '--lease-name',
    LEASE,
    '--webhook-configuration-name',
    CONFIG,
    '--prometheus-url',
    prometheusUrl() ?? 'http://127.0.0.1:1',
  ]);
  const report = JSON.parse(res.stdout) as { ok: boolean; checks: CheckResult[] };
  expect(res.code, res.stderr).toBe(report.ok ? 0 : 1);
  return { code: res.code, checks: report.checks };
}

/** Stale configurations of other files or earlier runs are theirs, not this file's. */
const ours = (checks: CheckResult[]): CheckResult[] =>
  checks.filter((c) => !(c.group === 'Webhook' && c.message.startsWith('stale configuration') && !c.message.includes(CONFIG)));

beforeAll(async () => {
  const labelled = await kubectl(['label', 'namespace', ns.name, 'clairvoyance.dev/gated=true', '--overwrite']);
  expect(labelled.code, labelled.stderr).toBe(0);
  const res = await kubectl(['apply', '-f', '-'], { input: JSON.stringify({ ...policy, metadata: { ...policy.metadata, namespace: ns.name } }) });
  expect(res.code, res.stderr).toBe(0);
  await start().ready;
});

afterAll(async () => {
  if (controller?.proc.exitCode === null) controller.proc.kill('SIGCONT');
  await controller?.kill('SIGTERM');
  const api = kc.makeApiClient(AdmissionregistrationV1Api);
  await api.deleteValidatingWebhookConfiguration({ name: CONFIG }).catch(() => undefined);
  await api.deleteMutatingWebhookConfiguration({ name: CONFIG }).catch(() => undefined);
});

describe('webhook lifecycle out of cluster', () => {
  it('gates the namespace while it runs, and doctor reports every check ✓', async () => {
    const denied = await apply(deployment('web', 'registry.example/web:1'));
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('owner-label');
    const created = await apply(deployment('web', 'registry.example/web:1', 'payments'));
    expect(created.code, created.stderr).toBe(0);
    const rollout = {
      apiVersion: 'clairvoyance.dev/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web' },
      spec: { replicas: 2, workloadRef: { kind: 'Deployment', name: 'web' }, strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } } },
    };
    const r = await apply(rollout);
    expect(r.code, r.stderr).toBe(0);
    await waitForStatus(ns.name, 'web', 'adopted and Healthy', (s) => s.phase === 'Healthy' && !!s.stableRevision);

    const { code, checks } = await eventually('doctor sees the lease renewed', async () => {
      const d = await doctor();
      return ours(d.checks).every((c) => c.ok) ? d : undefined;
    });
    for (const c of ours(checks)) expect(c.ok, `${c.group}: ${c.message}`).toBe(true);
    expect(checks.map((c) => c.group)).toEqual(expect.arrayContaining(['CRDs', 'Webhook', 'Controller', 'RBAC', 'Prometheus', 'Namespace']));
    expect(checks.find((c) => c.group === 'Namespace' && c.message.includes('is gated'))).toBeDefined();
    expect(checks.find((c) => c.message.includes('policies that apply') && c.message.includes(`ContextPolicy/${ns.name}/owners`))).toBeDefined();
    expect(code === 0).toBe(checks.every((c) => c.ok));
  });

  it('refuses at apply a template whose PromQL does not parse and a policy whose CEL does not compile, naming the field; dry runs too', async () => {
    const template = {
      apiVersion: 'clairvoyance.dev/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'broken-promql' },
      spec: { metrics: [{ name: 'errors', successCondition: 'result < 0.05', provider: { prometheus: { query: 'sum(rate(http_requests_total[5m]' } } }] },
    };
    for (const extra of [['--dry-run=server'], []]) {
      const res = await apply(template, ns.name, extra);
      expect(res.code, res.stdout).not.toBe(0);
      expect(res.stderr).toContain('AnalysisTemplate broken-promql is invalid');
      expect(res.stderr).toContain('spec.metrics[0].provider.prometheus.query');
    }
    const policyWithBadCel = {
      apiVersion: 'clairvoyance.dev/v1alpha1',
      kind: 'ContextPolicy',
      metadata: { name: 'broken-cel' },
      spec: { rules: [{ id: 'replicas', rationale: 'HA needs two.', cel: { expression: 'object.spec.replicas >= ', message: 'two replicas' } }] },
    };
    // Validation is not gating: an ungated namespace refuses a broken policy too.
    const refused = await apply(policyWithBadCel, ungated.name);
    expect(refused.code, refused.stdout).not.toBe(0);
    expect(refused.stderr).toContain('ContextPolicy broken-cel is invalid');
    expect(refused.stderr).toContain('spec.rules[0].cel.expression');
  });

  it('a frozen controller costs an ungated apply one short timeout, kube-system nothing, and a gated apply a clear refusal', async () => {
    const proc = controller!.proc;
    proc.kill('SIGSTOP');
    try {
      const open = await timed(() => apply(deployment('open', 'registry.example/open:1', 'payments'), ungated.name));
      expect(open.value.code, open.value.stderr).toBe(0);
      const system = await timed(() =>
        apply(
          {
            ...deployment(`cv-frozen-${RUN}`, 'registry.example/sys:1', 'platform'),
            spec: {
              ...deployment('x', 'y').spec,
              replicas: 0,
              selector: { matchLabels: { app: `cv-frozen-${RUN}` } },
              template: { metadata: { labels: { app: `cv-frozen-${RUN}` } }, spec: { containers: [{ name: 'app', image: 'registry.example/sys:1' }] } },
            },
          },
          'kube-system',
        ),
      );
      expect(system.value.code, system.value.stderr).toBe(0);
      const gated = await timed(() => apply(deployment('frozen', 'registry.example/frozen:1', 'payments')));
      expect(gated.value.code).not.toBe(0);
      expect(gated.value.stderr).toMatch(/failed calling webhook "gated\.[a-z-]+\.clairvoyance\.dev".*(deadline|timeout|Timeout)/s);
      process.stdout.write(
        `frozen controller: ungated apply ${open.ms.toFixed(0)} ms, kube-system apply ${system.ms.toFixed(0)} ms, gated refusal ${gated.ms.toFixed(0)} ms\n`,
      );
      // One ungated call with a 1 s timeout, plus kubectl's own round trips.
      expect(open.ms).toBeLessThan(2_500);
      expect(system.ms).toBeLessThan(open.ms);
    } finally {
      proc.kill('SIGCONT');
      await kubectl(['delete', 'deployment', `cv-frozen-${RUN}`, '-n', 'kube-system', '--ignore-not-found', '--wait=false']);
    }
  });

  it('SIGINT removes its configurations within 5 s; the gated namespace admits again, and the pre-canary gate still blocks', async () => {
    const before = await readRegistration(kc, CONFIG);
    expect(before.map((c) => c.kind).sort()).toEqual(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);
    const signalled = Date.now();
    controller!.proc.kill('SIGINT');
    await eventually('no configuration left', async () => ((await readRegistration(kc, CONFIG)).length === 0 ? true : undefined), {
      timeoutMs: 5_000,
      intervalMs: 100,
    });
    const removedAfterMs = Date.now() - signalled;
    expect(removedAfterMs).toBeLessThan(5_000);
    // A second signal would mean "exit now" (130): wait for the first one's clean exit.
    expect(await controller!.exited()).toBe(0);
    expect(controller!.logs()).toContain('webhook configurations removed');

    // Without the webhook a non-compliant revision is admitted...
    const admitted = await apply(deployment('web', 'registry.example/web:2-unowned'));
    expect(admitted.code, admitted.stderr).toBe(0);
    const stable = (await rolloutStatus(ns.name, 'web')).stableRevision;
    // ...and the controller's pre-canary gate holds it once the controller returns.
    await start().ready;
    const blocked = await waitForStatus(ns.name, 'web', 'Blocked by the policy gate', (s) => s.phase === 'Blocked').catch(async (err: unknown) => {
      throw new Error(`${String(err)}; status: ${JSON.stringify(await rolloutStatus(ns.name, 'web'))}\n${controller!.logs().slice(-4000)}`);
    });
    expect(blocked.findings?.map((f) => f.ruleId)).toContain('owner-label');
    expect(blocked.stableRevision).toBe(stable);
    expect(blocked.weights?.canary ?? 0).toBe(0);
  });

  it('a SIGKILLed run leaves a dead gate that doctor names; the next run replaces it and says so', async () => {
    const first = (await readRegistration(kc, CONFIG))[0]!.webhooks![0]!.clientConfig.url!;
    expect(await controller!.kill('SIGKILL')).toBeNull();
    expect((await readRegistration(kc, CONFIG)).length).toBe(2);

    // Fail closed: the gated namespace refuses, naming the webhook.
    const refused = await apply(deployment('other', 'registry.example/other:1', 'payments'));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/failed calling webhook "gated\.[a-z-]+\.clairvoyance\.dev"/);

    const dead = await doctor();
    expect(dead.code).toBe(1);
    const webhook = dead.checks.filter((c) => c.group === 'Webhook' && !c.ok && c.message.includes(CONFIG));
    expect(webhook.length).toBeGreaterThan(0);
    expect(webhook[0]!.message).toContain(new URL(first).origin);
    expect(webhook[0]!.fix).toContain(`clairvoyance webhook remove --name ${CONFIG}`);

    const next = start();
    await next.ready;
    expect(next.logs()).toContain(`replacing stale webhook registration ${CONFIG}:`);
    const now = (await readRegistration(kc, CONFIG))[0]!.webhooks![0]!.clientConfig.url!;
    expect(new URL(now).origin).not.toBe(new URL(first).origin);
    const admitted = await apply(deployment('other', 'registry.example/other:1', 'payments'));
    expect(admitted.code, admitted.stderr).toBe(0);
  });

  it('a second run under the same name is refused while the first answers', async () => {
    const second = runWithWebhook(['--no-leader-elect']);
    await expect(second.ready).rejects.toThrow(/registered by another run that still answers/);
    expect(await second.kill()).not.toBe(0);
  });

  it('webhook remove refuses without --yes off a terminal, then removes and records an Event', async () => {
    const refused = await cli(['webhook', 'remove', '--name', CONFIG]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('pass --yes');
    expect((await readRegistration(kc, CONFIG)).length).toBe(2);
    const removed = await cli(['webhook', 'remove', '--name', CONFIG, '--yes']);
    expect(removed.code, removed.stderr).toBe(0);
    expect((await readRegistration(kc, CONFIG)).length).toBe(0);
    const events = await kubectl(['get', 'events', '-n', 'default', '--field-selector', `reason=WebhookRemoved,involvedObject.name=${CONFIG}`, '-o', 'name']);
    expect(events.stdout.trim().split('\n').filter(Boolean).length).toBeGreaterThan(0);
  });
});
