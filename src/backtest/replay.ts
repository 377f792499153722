// Replays an analysis over history through the engine the controller runs: the same
// scheduling (initialDelay, interval, error retries), templating, CEL conditions, limits,
// compare judge and signals, on a clock that walks the past instead of waiting for it.
import {
  aggregateRun,
  applyMeasurement,
  effectiveMetric,
  isTerminal,
  newRunStatus,
  nextMeasurementDue,
  providerFor,
  takeMeasurement,
  terminateRun,
  updateRunMetric,
  type AnalysisPhase,
  type AnalysisRunStatus,
  type MeasurementPhase,
  type MeasurementResult,
  type MetricSpec,
  type ProviderSource,
  type SignalOptions,
  type TemplateContext,
} from '../analysis/index.js';
import { RangeBackedProvider } from './history-provider.js';

export interface ReplayInput {
  metrics: readonly MetricSpec[];
  templates: readonly string[];
  providers: ProviderSource;
  templating: TemplateContext;
  from: Date;
  to: Date;
  /**
   * As background analysis (default): metrics without `count` measure across the whole
   * window. As a step analysis such a metric takes one measurement, as it would live.
   */
  mode?: 'background' | 'step';
  signals?: SignalOptions;
  baselineRevision?: string;
  signal?: AbortSignal;
  /** Called after each measurement, for progress on long windows. */
  onProgress?: (at: Date) => void;
  /** Serve instant queries from one range query per grid (default); off: one request per measurement. */
  prefetch?: boolean;
}

export interface TimelinePoint {
  metric: string;
  at: string;
  phase: MeasurementPhase;
  value?: string;
  message?: string;
  provisional?: boolean;
}

export interface Gap {
  metric: string;
  from: string;
  to: string;
  measurements: number;
}

export interface ReplayResult {
  phase: AnalysisPhase;
  message?: string;
  /** When the run reached its verdict; the end of the window when it ran out. */
  decidedAt: string;
  /** True when the window ended before the analysis decided (the verdict is its termination). */
  ranOut: boolean;
  run: AnalysisRunStatus;
  /** Every measurement, unbounded (status keeps only the last few). */
  timeline: TimelinePoint[];
  firstFailure?: TimelinePoint;
  /** Runs of consecutive measurements that found no data. */
  gaps: Gap[];
  /** Measurements that had a value to judge, and those that found no data (errors are neither). */
  withData: number;
  withoutData: number;
  requests: number;
}

/** A measurement found no data: nothing came back to judge (absent series, stale, beyond retention). */
export function isNoData(p: Pick<TimelinePoint, 'phase' | 'value' | 'message'>): boolean {
  return p.value === undefined && (p.phase === 'Inconclusive' || p.phase === 'Failed') && !/^(unreachable|timeout):/.test(p.message ?? '');
}

function gapsOf(timeline: readonly TimelinePoint[]): Gap[] {
  const gaps: Gap[] = [];
  const open = new Map<string, Gap>();
  for (const p of timeline) {
    const gap = open.get(p.metric);
    if (isNoData(p)) {
      if (gap) {
        gap.to = p.at;
        gap.measurements++;
      } else open.set(p.metric, { metric: p.metric, from: p.at, to: p.at, measurements: 1 });
    } else if (gap) {
      gaps.push(gap);
      open.delete(p.metric);
    }
  }
  return [...gaps, ...open.values()].sort((a, b) => a.from.localeCompare(b.from));
}

export async function replayAnalysis(input: ReplayInput): Promise<ReplayResult> {
  const { from, to } = input;
  const background = (input.mode ?? 'background') === 'background';
  // Each metric gets its own range-backed provider on its own grid (initialDelay, interval).
  const providers = new Map<string, RangeBackedProvider>();
  const unusable = new Map<string, MeasurementResult>();
  for (const metric of input.metrics) {
    const eff = effectiveMetric(metric);
    const start = new Date(from.getTime() + eff.initialDelayMs);
    const built = providerFor(input.providers, metric);
    if ('error' in built) unusable.set(metric.name, built.error);
    else providers.set(metric.name, new RangeBackedProvider(built.provider, { start, end: to, stepMs: eff.intervalMs }, input.prefetch !== false));
  }
  let run = newRunStatus({ name: 'backtest', templates: [...input.templates], metrics: input.metrics, now: from });
  const timeline: TimelinePoint[] = [];
  let decidedAt: Date | undefined;
  for (;;) {
    input.signal?.throwIfAborted();
    let next: { metric: MetricSpec; at: Date } | undefined;
    for (const metric of input.metrics) {
      const status = run.metrics.find((m) => m.name === metric.name);
      const due = nextMeasurementDue(metric, status, from, from);
      if (due && (!next || due.at < next.at)) next = { metric, at: due.at };
    }
    if (!next || next.at > to) break;
    const { metric, at } = next;
    const provider = providers.get(metric.name);
    const result = !provider
      ? (unusable.get(metric.name) ?? { phase: 'Error' as const, message: 'no provider' })
      : await takeMeasurement(metric, provider, {
          templating: input.templating,
          now: at,
          runStartedAt: from,
          ...(input.signals ? { signals: input.signals } : {}),
          ...(input.baselineRevision ? { baselineRevision: input.baselineRevision } : {}),
          ...(input.signal ? { signal: input.signal } : {}),
        });
    const status = applyMeasurement(
      metric,
      run.metrics.find((m) => m.name === metric.name),
      result,
      { startedAt: at, finishedAt: at },
      { background },
    );
    run = updateRunMetric(run, status);
    timeline.push({
      metric: metric.name,
      at: at.toISOString(),
      phase: result.phase,
      ...(result.value !== undefined ? { value: result.value } : {}),
      ...(result.message !== undefined ? { message: result.message } : {}),
      ...(result.provisional ? { provisional: true } : {}),
    });
    input.onProgress?.(at);
    if (isTerminal(run.phase)) {
      decidedAt = at;
      break;
    }
  }
  const ranOut = decidedAt === undefined;
  if (ranOut) run = terminateRun(run, [...input.metrics]);
  const { phase, message } = isTerminal(run.phase) ? { phase: run.phase, message: run.message } : aggregateRun(run.metrics);
  const firstFailure = timeline.find((p) => p.phase === 'Failed' && !p.provisional);
  const withoutData = timeline.filter(isNoData).length;
  const withData = timeline.filter((p) => p.value !== undefined).length;
  return {
    phase,
    ...(message !== undefined ? { message } : {}),
    decidedAt: (decidedAt ?? to).toISOString(),
    ranOut,
    run,
    timeline,
    ...(firstFailure ? { firstFailure } : {}),
    gaps: gapsOf(timeline),
    withData,
    withoutData,
    requests: [...providers.values()].reduce((n, p) => n + p.requests, 0),
  };
}
