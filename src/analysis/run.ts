import { initialMetricStatus, isTerminal, terminateMetric } from './metric-run.js';
import type { AnalysisPhase, AnalysisRunStatus, MetricSpec, MetricStatus } from './types.js';

/** Worst wins. Pending ranks with Running: the run is not decided yet. */
const RANK: Record<AnalysisPhase, number> = {
  Failed: 5,
  Error: 4,
  Inconclusive: 3,
  Running: 2,
  Pending: 2,
  Successful: 1,
};

export interface RunAssessment {
  phase: AnalysisPhase;
  message?: string;
}

/**
 * Aggregates metric phases into the run phase (Failed > Error > Inconclusive >
 * Running > Successful) with a message naming the metric that decided it; the
 * metric's own message carries the value and the condition.
 */
export function aggregateRun(metrics: readonly MetricStatus[]): RunAssessment {
  if (metrics.length === 0) return { phase: 'Inconclusive', message: 'analysis has no metrics' };
  let worst: AnalysisPhase = 'Successful';
  for (const m of metrics) if (RANK[m.phase] > RANK[worst]) worst = m.phase;

  // The worst phase is some metric's: the first metric in it names the verdict.
  const [first, ...others] = metrics.filter((m) => m.phase === worst);
  if (first && (worst === 'Failed' || worst === 'Error' || worst === 'Inconclusive')) {
    const more = others.length > 0 ? ` (and ${others.map((m) => `"${m.name}"`).join(', ')})` : '';
    const verb = worst === 'Failed' ? 'failed' : worst === 'Error' ? 'errored' : 'was inconclusive';
    return { phase: worst, message: `metric "${first.name}" ${verb}${first.message ? `: ${first.message}` : ''}${more}` };
  }
  if (worst === 'Successful') return { phase: 'Successful', message: `all ${metrics.length} metric${metrics.length === 1 ? '' : 's'} successful` };
  if (metrics.every((m) => m.phase === 'Pending')) return { phase: 'Pending', message: 'waiting for the first measurement' };
  const done = metrics.filter((m) => isTerminal(m.phase)).length;
  return { phase: 'Running', message: `${done}/${metrics.length} metrics complete` };
}

export interface NewRunInput {
  name: string;
  templates: string[];
  stepIndex?: number;
  metrics: readonly Pick<MetricSpec, 'name'>[];
  now: Date;
}

export function newRunStatus(input: NewRunInput): AnalysisRunStatus {
  const run: AnalysisRunStatus = {
    name: input.name,
    templates: [...input.templates],
    phase: 'Pending',
    startedAt: input.now.toISOString(),
    metrics: input.metrics.map((m) => initialMetricStatus(m.name)),
  };
  if (input.stepIndex !== undefined) run.stepIndex = input.stepIndex;
  return withAssessment(run);
}

function withAssessment(run: AnalysisRunStatus): AnalysisRunStatus {
  const { phase, message } = aggregateRun(run.metrics);
  const next: AnalysisRunStatus = { ...run, phase };
  if (message !== undefined) next.message = message;
  else delete next.message;
  return next;
}

/** Replaces one metric's status (by name) and re-aggregates. A finished run is left as is. */
export function updateRunMetric(run: AnalysisRunStatus, metric: MetricStatus): AnalysisRunStatus {
  if (isTerminal(run.phase)) return run;
  const exists = run.metrics.some((m) => m.name === metric.name);
  const metrics = exists ? run.metrics.map((m) => (m.name === metric.name ? metric : m)) : [...run.metrics, metric];
  return withAssessment({ ...run, metrics });
}

/** Background analysis has no step; its metrics without `count` run until terminated. */
export function isBackgroundRun(run: Pick<AnalysisRunStatus, 'stepIndex'>): boolean {
  return run.stepIndex === undefined;
}

/**
 * Terminates a run (its step was left, or background analysis stopped):
 * unfinished metrics get their final phase, then the run is re-aggregated.
 */
export function terminateRun(run: AnalysisRunStatus, specs: readonly MetricSpec[]): AnalysisRunStatus {
  if (isTerminal(run.phase)) return run;
  const metrics = run.metrics.map((status) => {
    const spec = specs.find((s) => s.name === status.name);
    return spec ? terminateMetric(spec, status, { background: isBackgroundRun(run) }) : status;
  });
  return withAssessment({ ...run, metrics });
}
