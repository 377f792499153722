// `npm run demo` end to end against the local stack, then the Grafana dashboard's
// core panels against the series the demo's traffic left in Prometheus.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applyWebhookConfigurations, deleteWebhookConfigurations, readRegistration } from '../../../src/webhook/index.js';
import { externalClusterWithoutPrometheus, kubeConfig, kubectl } from '../../support/cluster.js';
import { rangeQuery } from '../../support/prometheus.js';
import { loadDashboard, queries } from '../../unit/install/dashboard-queries.js';

const DEMO_WEBHOOK = 'clairvoyance-demo';

/** Runs the demo; `onOutput` sees the output so far and may signal the process. */
function runDemo(onOutput?: (output: string, child: ChildProcess) => void): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'dev/demo/main.ts'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (c: Buffer): void => {
      output += c.toString();
      onOutput?.(output, child);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

const demoRegistration = () => readRegistration(kubeConfig(), DEMO_WEBHOOK);

/** Panels a team looks at first: they must show data after the demo. */
const CORE_PANELS = [
  'Rollouts by phase',
  'Error rate by revision',
  'Analysis values against the threshold',
  'Gate denials by rule ($window)',
  'Cycle time p50 by origin ($window)',
  'Rollback ratio by origin ($window)',
];

describe.skipIf(externalClusterWithoutPrometheus())('the demo', () => {
  it('plays every scenario as expected, and the dashboard shows its data', { timeout: 600_000 }, async () => {
    const started = new Date();
    const { code, output } = await runDemo();
    // On failure, show the end of the demo's own account of what happened.
    const tail = output.slice(-6000);
    expect(code, tail).toBe(0);
    expect(output, tail).toContain('PASS  1 denied at apply');
    expect(output, tail).toContain('PASS  5 contract');
    expect(output, tail).not.toContain('FAIL ');

    const core = queries(loadDashboard()).filter((q) => CORE_PANELS.includes(q.panel));
    expect(new Set(core.map((q) => q.panel)).size).toBe(CORE_PANELS.length);
    // Over the demo's time range, as the panels draw it: the controller's own gauges go
    // stale the moment the demo stops, so an instant query after it says nothing.
    const ended = new Date();
    for (const panel of CORE_PANELS) {
      const results = await Promise.all(core.filter((q) => q.panel === panel).map((q) => rangeQuery(q.promql, started, ended)));
      expect(
        results.some((r) => r.length > 0),
        `panel "${panel}" has no data`,
      ).toBe(true);
    }
  });

  it('SIGTERM mid-scenario leaves no webhook configuration behind', { timeout: 300_000 }, async () => {
    let signalled = false;
    const { output } = await runDemo((out, child) => {
      // Scenario 2's canary is running: the controller is busy and its webhook registered.
      if (!signalled && out.includes('Applied checkout 2.0.1')) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    expect(signalled, output.slice(-3000)).toBe(true);
    expect(output).toContain('demo interrupted (SIGTERM)');
    expect(await demoRegistration()).toEqual([]);
  });

  it('a demo that fails a scenario leaves no webhook configuration behind', { timeout: 300_000 }, async () => {
    // A real cause of failure: one more context rule the demo's corrected change does not meet.
    const name = `demo-extra-rule-${randomBytes(3).toString('hex')}`;
    const policy = {
      apiVersion: 'clairvoyance.dev/v1alpha1',
      kind: 'ClusterContextPolicy',
      metadata: { name },
      spec: {
        enforcement: 'Enforce',
        match: { origins: ['ai-generated'], namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'demo-shop' } } },
        rules: [{ id: 'cost-center', rationale: 'Finance charges every service to a cost center.', ownership: { labels: ['cost-center'] } }],
      },
    };
    const applied = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(policy) });
    expect(applied.code, applied.stderr).toBe(0);
    try {
      const { code, output } = await runDemo();
      expect(code, output.slice(-3000)).toBe(1);
      expect(output).toMatch(/demo failed: .*cost-center/s);
      expect(await demoRegistration()).toEqual([]);
    } finally {
      await kubectl(['delete', 'clustercontextpolicy', name, '--ignore-not-found']);
    }
  });

  it('stops before setup with a plain sentence and the fix when a dead webhook would close its namespace', { timeout: 120_000 }, async () => {
    const stale = `demo-stale-${randomBytes(3).toString('hex')}`;
    await applyWebhookConfigurations(kubeConfig(), {
      name: stale,
      caBundle: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n',
      target: { url: 'https://127.0.0.1:1' },
      controllerNamespace: 'clairvoyance-system',
      // Matches no namespace, so it closes nothing for the other test files meanwhile.
      namespaceRequirements: [{ key: 'clairvoyance.dev/never', operator: 'In', values: ['true'] }],
    });
    try {
      const { code, output } = await runDemo();
      expect(code, output.slice(-3000)).toBe(1);
      expect(output).toContain('the demo cannot run on this cluster as it is');
      expect(output).toContain(`ValidatingWebhookConfiguration ${stale}`);
      expect(output).toContain(`fix: clairvoyance webhook remove --name ${stale}`);
      expect(output).not.toContain('Setup');
    } finally {
      await deleteWebhookConfigurations(kubeConfig(), stale);
    }
  });
});
