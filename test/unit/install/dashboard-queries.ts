// Reads the Grafana dashboard and turns each panel query into plain PromQL: Grafana
// variables are replaced by values a real Prometheus accepts, so the same queries can be
// parsed (unit test) and executed (integration test).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { repoRoot } from '../../../dev/stack/paths.js';

export const DASHBOARD_PATH = join(repoRoot, 'charts', 'clairvoyance', 'dashboards', 'clairvoyance.json');

export interface Datasource {
  type?: string;
  uid?: string;
}

export interface Target {
  refId?: string;
  expr?: string;
  datasource?: Datasource;
}

export interface Panel {
  id?: number;
  type: string;
  title?: string;
  datasource?: Datasource;
  targets?: Target[];
  panels?: Panel[];
  gridPos?: { h: number; w: number; x: number; y: number };
}

export interface TemplateVariable {
  name: string;
  type: string;
  query?: unknown;
}

export interface Dashboard {
  uid?: string;
  title?: string;
  panels: Panel[];
  templating?: { list: TemplateVariable[] };
}

export function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;
}

/** Every non-row panel, including those nested in collapsed rows. */
export function allPanels(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
}

export interface Query {
  panel: string;
  refId: string;
  expr: string;
  /** The expression with Grafana variables replaced: what Prometheus receives. */
  promql: string;
}

/**
 * Values for the variables the dashboard uses. `$__rate_interval` and `$window` become
 * ranges, the label filters match everything (the "All" option), `$threshold` a number.
 */
export const VARIABLE_VALUES: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '1h',
  window: '1h',
  namespace: '.*',
  rollout: '.*',
  threshold: '0.05',
};

/** Replaces `$name` and `${name}`; throws on a variable the dashboard does not define a value for. */
export function substituteVariables(expr: string): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (_m, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const value = VARIABLE_VALUES[name];
    if (value === undefined) throw new Error(`unknown dashboard variable $${name} in: ${expr}`);
    return value;
  });
}

export function queries(d: Dashboard): Query[] {
  return allPanels(d).flatMap((p) =>
    (p.targets ?? []).map((t) => ({
      panel: p.title ?? `panel ${p.id ?? '?'}`,
      refId: t.refId ?? '?',
      expr: t.expr ?? '',
      promql: substituteVariables(t.expr ?? ''),
    })),
  );
}

/** The first syntax error in a PromQL expression, or undefined when it parses. */
export function promqlSyntaxError(promql: string): string | undefined {
  if (promql.trim() === '') return 'empty query';
  let error: string | undefined;
  parser.parse(promql).iterate({
    enter: (node) => {
      if (error !== undefined) return false;
      if (node.type.isError) error = `syntax error at offset ${node.from} near "${promql.slice(Math.max(0, node.from - 15), node.to + 15)}"`;
      return undefined;
    },
  });
  return error;
}
