// `clairvoyance report` as text: the five keys and the downstream share by origin, and
// one sentence comparing generated with hand-written changes. Pure.
import { formatDuration } from '../api/durations.js';
import type { Distribution, OriginFigures, Window } from './dora.js';

const dash = '-';
const secs = (s: number | undefined): string => (s === undefined ? dash : formatDuration(s * 1000));
const pct = (r: number | undefined): string => (r === undefined ? dash : r > 0 && r < 0.01 ? '<1%' : `${Math.round(r * 100)}%`);
const dist = (d: Distribution): string => (d.count === 0 ? dash : `${secs(d.median)} / ${secs(d.p90)} (n=${d.count})`);

/** Rows of the table: a label and how each origin's cell reads. */
const ROWS: [string, (f: OriginFigures) => string][] = [
  ['changes', (f) => String(f.changes)],
  ['deployments (per day)', (f) => `${f.deployments} (${f.deploymentsPerDay.toFixed(2)})`],
  ['lead time p50 / p90', (f) => dist(f.leadTime)],
  ['failure rate: canary', (f) => pct(f.canaryFailureRate)],
  ['failure rate: escaped', (f) => pct(f.escapedFailureRate)],
  ['recovery time p50 / p90', (f) => dist(f.recoveryTime)],
  ['rework rate', (f) => pct(f.reworkRate)],
  ['downstream share', (f) => pct(f.downstreamShare)],
  ['cycle per stable change', (f) => secs(f.cyclePerStableSeconds)],
];

export function spanText(w: Window): string {
  const days = (w.until.getTime() - w.since.getTime()) / 86_400_000;
  return Number.isInteger(days) ? `${days}d` : formatDuration(w.until.getTime() - w.since.getTime());
}

/**
 * Whether generated changes reached stable faster than hand-written ones once rework and
 * failures are counted: the whole cycle of decided changes (failed ones included) per
 * change that became stable.
 */
export function comparisonSentence(figures: readonly OriginFigures[], w: Window): string {
  const generated = figures.find((f) => f.origin === 'ai-generated');
  const human = figures.find((f) => f.origin === 'human');
  const g = generated?.cyclePerStableSeconds;
  const h = human?.cyclePerStableSeconds;
  const span = spanText(w);
  if (g === undefined || h === undefined) {
    const missing = g === undefined && h === undefined ? 'generated nor hand-written' : g === undefined ? 'generated' : 'hand-written';
    return `In the last ${span} no ${missing} change reached stable, so there is nothing to compare yet.`;
  }
  const verdict = g < h ? 'faster than' : g > h ? 'slower than' : 'as fast as';
  return (
    `In the last ${span}, generated changes reached stable ${verdict} hand-written ones once rework and failures are counted: ` +
    `${secs(g)} per stable change against ${secs(h)}.`
  );
}

export function renderTable(figures: readonly OriginFigures[], w: Window, scope: string): string {
  const header = ['', ...figures.map((f) => f.origin)];
  const rows = [header, ...ROWS.map(([label, cell]) => [label, ...figures.map(cell)])];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const lines = rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  return [`Changes by origin, last ${spanText(w)} (${scope}):`, '', ...lines, '', comparisonSentence(figures, w), ''].join('\n');
}

const CSV_COLUMNS = [
  'origin',
  'changes',
  'deployments',
  'deploymentsPerDay',
  'leadTimeCount',
  'leadTimeMedianSeconds',
  'leadTimeP90Seconds',
  'canaryFailureRate',
  'escapedFailureRate',
  'recoveryCount',
  'recoveryMedianSeconds',
  'recoveryP90Seconds',
  'reworkRate',
  'downstreamShare',
  'cyclePerStableSeconds',
] as const;

export function renderCsv(figures: readonly OriginFigures[]): string {
  const num = (v: number | undefined): string => (v === undefined ? '' : String(Number(v.toFixed(6))));
  const rows = figures.map((f) =>
    [
      f.origin,
      String(f.changes),
      String(f.deployments),
      num(f.deploymentsPerDay),
      String(f.leadTime.count),
      num(f.leadTime.median),
      num(f.leadTime.p90),
      num(f.canaryFailureRate),
      num(f.escapedFailureRate),
      String(f.recoveryTime.count),
      num(f.recoveryTime.median),
      num(f.recoveryTime.p90),
      num(f.reworkRate),
      num(f.downstreamShare),
      num(f.cyclePerStableSeconds),
    ].join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...rows].join('\n')}\n`;
}
