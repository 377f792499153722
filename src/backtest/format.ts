import type { IncidentVerdict } from './incident.js';
import type { ReplayResult } from './replay.js';

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** The timeline, gaps and verdict as a person reads them. */
export function formatReplay(result: ReplayResult, opts: { incident?: IncidentVerdict; template: string }): string {
  const lines: string[] = [
    `Template ${opts.template}: ${result.timeline.length} measurements (${result.withData} with data, ${result.withoutData} without${result.timeline.length - result.withData - result.withoutData > 0 ? `, ${result.timeline.length - result.withData - result.withoutData} errors` : ''}), ${result.requests} Prometheus requests`,
    '',
  ];
  const metricWidth = Math.max(6, ...result.timeline.map((p) => p.metric.length));
  lines.push(`${pad('TIME', 24)}  ${pad('METRIC', metricWidth)}  ${pad('PHASE', 12)}  ${pad('VALUE', 12)}  MESSAGE`);
  for (const p of result.timeline) {
    lines.push(
      `${pad(p.at, 24)}  ${pad(p.metric, metricWidth)}  ${pad(p.phase + (p.provisional ? '*' : ''), 12)}  ${pad(p.value ?? '-', 12)}  ${p.message ?? ''}`,
    );
  }
  if (result.gaps.length > 0) {
    lines.push('', 'No data (absent or stale series, or beyond retention): never counted as a pass');
    for (const g of result.gaps) lines.push(`  ${g.metric}: ${g.from} .. ${g.to} (${g.measurements} measurement${g.measurements === 1 ? '' : 's'})`);
  }
  lines.push('', `Verdict: ${result.phase}${result.message ? ` — ${result.message}` : ''}`);
  lines.push(
    result.ranOut
      ? `  the window ended at ${result.decidedAt} before the analysis decided; this is how it would have been terminated`
      : `  reached at ${result.decidedAt}`,
  );
  if (opts.incident) lines.push('', `Incident: ${opts.incident.sentence}`);
  return `${lines.join('\n')}\n`;
}
