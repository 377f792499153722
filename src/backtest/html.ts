// A self-contained page: one chart per metric (value over time, the condition's
// boundaries, the verdict and the incident), drawn by vega-lite and rendered to SVG here,
// so the page needs no script and no network to show.
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { MetricSpec } from '../analysis/index.js';
import type { IncidentVerdict } from './incident.js';
import type { ReplayResult } from './replay.js';

export interface Boundary {
  kind: 'success' | 'failure';
  value: number;
  op: string;
}

/** Numeric boundaries a condition compares `result` (or `result[0]`) against, when it is that simple. */
export function boundariesOf(metric: MetricSpec): Boundary[] {
  const out: Boundary[] = [];
  const scan = (kind: Boundary['kind'], expr: string | undefined): void => {
    if (!expr) return;
    for (const m of expr.matchAll(/result(?:\[0\])?\s*(<=|<|>=|>|==)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)/g)) out.push({ kind, op: m[1] ?? '', value: Number(m[2]) });
  };
  scan('success', metric.successCondition);
  scan('failure', metric.failureCondition);
  return out;
}

/** A measurement's value as a number: a scalar, or the first sample of a vector (`[0.12, 0.3]`). */
function plotted(value: string | undefined): number | null {
  if (value === undefined) return null;
  const first = Number(value.replace(/^\[/, '').split(/[,\]]/)[0]);
  return Number.isFinite(first) ? first : null;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function chart(metric: MetricSpec, result: ReplayResult, incident?: Date): Promise<string> {
  const points = result.timeline.filter((p) => p.metric === metric.name).map((p) => ({ at: p.at, value: plotted(p.value), phase: p.phase }));
  const markers = [{ at: result.decidedAt, label: `verdict: ${result.phase}` }, ...(incident ? [{ at: incident.toISOString(), label: 'incident' }] : [])];
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: metric.name,
      subtitle: [
        metric.successCondition ? `success: ${metric.successCondition}` : '',
        metric.failureCondition ? `failure: ${metric.failureCondition}` : '',
      ].filter(Boolean),
    },
    width: 680,
    height: 220,
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'at', type: 'temporal', title: 'time' },
          y: { field: 'value', type: 'quantitative', title: 'value' },
        },
      },
      {
        data: { values: points.filter((p) => p.value !== null) },
        mark: { type: 'point', filled: true, size: 40 },
        encoding: {
          x: { field: 'at', type: 'temporal' },
          y: { field: 'value', type: 'quantitative' },
          color: {
            field: 'phase',
            type: 'nominal',
            scale: { domain: ['Successful', 'Failed', 'Inconclusive', 'Error'], range: ['#2e7d32', '#c62828', '#f9a825', '#6a1b9a'] },
          },
        },
      },
      ...boundariesOf(metric).map((b) => ({
        data: { values: [b] },
        mark: { type: 'rule' as const, strokeDash: [6, 4], color: b.kind === 'failure' ? '#c62828' : '#2e7d32' },
        encoding: { y: { field: 'value', type: 'quantitative' as const } },
      })),
      {
        data: { values: markers },
        mark: { type: 'rule', color: '#37474f', strokeWidth: 2 },
        encoding: { x: { field: 'at', type: 'temporal' } },
      },
      {
        data: { values: markers },
        mark: { type: 'text', align: 'right', dx: -4, y: 8, color: '#37474f' },
        encoding: { x: { field: 'at', type: 'temporal' }, text: { field: 'label' } },
      },
    ],
  };
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

export async function renderHtml(input: {
  template: string;
  metrics: readonly MetricSpec[];
  result: ReplayResult;
  incident?: { at: Date; verdict: IncidentVerdict };
}): Promise<string> {
  const { result } = input;
  const charts = await Promise.all(input.metrics.map((m) => chart(m, result, input.incident?.at)));
  const summary = [
    `Verdict: <strong>${escapeHtml(result.phase)}</strong> at ${escapeHtml(result.decidedAt)}${result.message ? ` — ${escapeHtml(result.message)}` : ''}`,
    ...(input.incident ? [`Incident: ${escapeHtml(input.incident.verdict.sentence)}`] : []),
    `${result.timeline.length} measurements, ${result.withoutData} without data${result.gaps.length ? ` (${result.gaps.length} gap${result.gaps.length === 1 ? '' : 's'})` : ''}`,
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Backtest: ${escapeHtml(input.template)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #263238; background: #fff; }
h1 { font-size: 20px; } .chart { margin: 16px 0; } p { margin: 4px 0; }
</style>
</head>
<body>
<h1>Backtest of ${escapeHtml(input.template)}</h1>
${summary.map((s) => `<p>${s}</p>`).join('\n')}
${charts.map((svg) => `<div class="chart">${svg}</div>`).join('\n')}
</body>
</html>
`;
}
