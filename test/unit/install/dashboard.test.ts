import { describe, expect, it } from 'vitest';
import { ControllerMetrics } from '../../../src/telemetry/metrics.js';
import { allPanels, loadDashboard, promqlSyntaxError, queries, substituteVariables } from './dashboard-queries.js';

const dashboard = loadDashboard();

describe('Grafana dashboard', () => {
  it('has a stable uid, a title and a Prometheus datasource variable', () => {
    expect(dashboard.uid).toBe('clairvoyance');
    expect(dashboard.title).toBe('Clairvoyance');
    const ds = dashboard.templating?.list.find((v) => v.name === 'datasource');
    expect(ds).toMatchObject({ type: 'datasource', query: 'prometheus' });
  });

  it('gives every panel and every query a Prometheus datasource', () => {
    const panels = allPanels(dashboard);
    expect(panels.length).toBeGreaterThan(10);
    for (const p of panels) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(p.targets?.length, `${p.title} has no query`).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.datasource, `${p.title} ${t.refId}`).toEqual(p.datasource);
    }
  });

  it('uses unique panel ids and refIds', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of allPanels(dashboard)) {
      const refs = (p.targets ?? []).map((t) => t.refId);
      expect(new Set(refs).size, p.title).toBe(refs.length);
    }
  });

  it('keeps panels inside the 24-column grid', () => {
    for (const p of dashboard.panels) {
      expect(p.gridPos, p.title).toBeDefined();
      expect(p.gridPos!.x + p.gridPos!.w, p.title).toBeLessThanOrEqual(24);
    }
  });

  it.each(queries(dashboard).map((q) => [`${q.panel} ${q.refId}`, q] as const))('%s is valid PromQL', (_name, q) => {
    expect(promqlSyntaxError(q.promql), q.promql).toBeUndefined();
  });

  it('covers the metrics on-call needs', () => {
    const all = queries(dashboard)
      .map((q) => q.expr)
      .join('\n');
    for (const metric of [
      'clairvoyance_rollouts',
      'clairvoyance_analysis_value',
      'clairvoyance_webhook_denials_total',
      'clairvoyance_change_cycle_seconds_bucket',
      'clairvoyance_change_cycle_seconds_count{outcome="rolled-back"}',
      'http_requests_total',
      'http_request_duration_seconds_bucket',
    ]) {
      expect(all).toContain(metric);
    }
    expect(all).toMatch(/histogram_quantile\(0\.5, sum by \(origin, le\)/);
    expect(all).toMatch(/histogram_quantile\(0\.9, sum by \(origin, le\)/);
  });

  it('has a panel by origin for every ledger gauge the leader exports', async () => {
    const all = queries(dashboard).map((q) => q.expr);
    const names = (await new ControllerMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON())
      .map((m) => m.name)
      .filter((n) => n.startsWith('clairvoyance_ledger_'));
    expect(names.length).toBeGreaterThanOrEqual(7);
    // Deployments count only feeds the frequency panel and the report.
    for (const name of names.filter((n) => n !== 'clairvoyance_ledger_deployments')) {
      const uses = all.filter((e) => e.includes(name));
      expect(uses, name).not.toEqual([]);
      for (const e of uses) expect(e, name).toMatch(/by \(origin/);
    }
  });

  it('the parser catches a broken query and unknown variables', () => {
    expect(promqlSyntaxError('sum by (revision) (rate(http_requests_total[1m])')).toBeDefined();
    expect(() => substituteVariables('rate(x[$nope])')).toThrow(/unknown dashboard variable \$nope/);
    expect(substituteVariables('rate(x{ns=~"${namespace}"}[$__rate_interval])')).toBe('rate(x{ns=~".*"}[1m])');
  });
});
