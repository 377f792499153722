// `npm run demo` end to end against the local stack, then the Grafana dashboard's
// core panels against the series the demo's traffic left in Prometheus.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { prometheusUrl } from '../../support/cluster.js';
import { instantQuery } from '../../support/prometheus.js';
import { loadDashboard, queries } from '../../unit/install/dashboard-queries.js';

function runDemo(): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'dev/demo/main.ts'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Panels a team looks at first: they must show data after the demo. */
const CORE_PANELS = [
  'Rollouts by phase',
  'Error rate by revision',
  'Analysis values against the threshold',
  'Gate denials by rule ($window)',
  'Cycle time p50 by origin ($window)',
  'Rollback ratio by origin ($window)',
];

describe.skipIf(!prometheusUrl())('the demo', () => {
  it('plays every scenario as expected, and the dashboard shows its data', { timeout: 600_000 }, async () => {
    const { code, output } = await runDemo();
    // On failure, show the end of the demo's own account of what happened.
    const tail = output.slice(-6000);
    expect(code, tail).toBe(0);
    expect(output, tail).toContain('PASS  1 denied at apply');
    expect(output, tail).toContain('PASS  5 contract');
    expect(output, tail).not.toContain('FAIL ');

    const core = queries(loadDashboard()).filter((q) => CORE_PANELS.includes(q.panel));
    expect(new Set(core.map((q) => q.panel)).size).toBe(CORE_PANELS.length);
    for (const panel of CORE_PANELS) {
      const results = await Promise.all(core.filter((q) => q.panel === panel).map((q) => instantQuery(q.promql)));
      expect(results.some((r) => r.length > 0), `panel "${panel}" has no data`).toBe(true);
    }
  });
});
