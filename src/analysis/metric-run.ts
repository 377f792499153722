import { effectiveMetric, ERROR_RETRY_INTERVAL_MS, exceeds, MEASUREMENT_HISTORY_LIMIT } from './defaults.js';
import type { MetricRunOptions } from './defaults.js';
import type { AnalysisPhase, MeasurementPhase, MeasurementResult, MeasurementStatus, MetricSpec, MetricStatus } from './types.js';

/**
 * The pure state machine of one metric, with Argo Rollouts semantics:
 *  - `count` = successful + failed + inconclusive; errors are counted apart and
 *    never advance `count`;
 *  - Failed when failed > failureLimit, Inconclusive when inconclusive >
 *    inconclusiveLimit, Error when consecutiveErrors > consecutiveErrorLimit
 *    (checked in that order; a negative limit is unlimited);
 *  - Successful when `count` is reached within the limits;
 *  - without `count` a step analysis takes one measurement and a background
 *    analysis measures until the run is terminated (`MetricRunOptions`).
 * Stricter than Argo: a metric is never Successful without at least one
 * successful measurement (all-inconclusive or no data is Inconclusive), and a
 * failed critical measurement fails the metric at once.
 */

export function isTerminal(phase: AnalysisPhase): boolean {
  return phase === 'Successful' || phase === 'Failed' || phase === 'Inconclusive' || phase === 'Error';
}

export function initialMetricStatus(name: string): MetricStatus {
  return { name, phase: 'Pending', count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0, consecutiveErrors: 0, measurements: [] };
}

function lastMessage(status: MetricStatus, phase: MeasurementPhase): string | undefined {
  for (let i = status.measurements.length - 1; i >= 0; i--) {
    const m = status.measurements[i];
    if (m && m.phase === phase && m.message) return m.message;
  }
  return undefined;
}

function withLast(summary: string, last: string | undefined): string {
  return last ? `${summary}; last: ${last}` : summary;
}

interface Assessment {
  phase: AnalysisPhase;
  message?: string;
}

/** Decides the phase of a non-terminal metric from its counters. */
export function assessMetric(metric: MetricSpec, status: MetricStatus, terminating = false, opts: MetricRunOptions = {}): Assessment {
  if (isTerminal(status.phase)) return { phase: status.phase, message: status.message };
  const eff = effectiveMetric(metric, opts);
  if (exceeds(status.failed, eff.failureLimit)) {
    return {
      phase: 'Failed',
      message: withLast(
        `${status.failed} failed measurement${status.failed === 1 ? '' : 's'} exceed failureLimit ${eff.failureLimit}`,
        lastMessage(status, 'Failed'),
      ),
    };
  }
  if (exceeds(status.inconclusive, eff.inconclusiveLimit)) {
    return {
      phase: 'Inconclusive',
      message: withLast(
        `${status.inconclusive} inconclusive measurement${status.inconclusive === 1 ? '' : 's'} exceed inconclusiveLimit ${eff.inconclusiveLimit}`,
        lastMessage(status, 'Inconclusive'),
      ),
    };
  }
  if (exceeds(status.consecutiveErrors, eff.consecutiveErrorLimit)) {
    return {
      phase: 'Error',
      message: withLast(
        `${status.consecutiveErrors} consecutive errors exceed consecutiveErrorLimit ${eff.consecutiveErrorLimit}`,
        lastMessage(status, 'Error'),
      ),
    };
  }
  const done = eff.count !== undefined && status.count >= eff.count;
  if (done || terminating) {
    const tally = `${status.successful} successful, ${status.failed} failed, ${status.inconclusive} inconclusive, ${status.error} errors`;
    if (status.successful === 0) {
      const why = status.count === 0 ? 'no measurement was taken' : 'no measurement succeeded';
      return {
        phase: 'Inconclusive',
        message: withLast(
          `${done ? 'count reached' : 'terminated'} but ${why} (${tally})`,
          lastMessage(status, 'Inconclusive') ?? lastMessage(status, 'Error'),
        ),
      };
    }
    return { phase: 'Successful', message: `${status.count} measurement${status.count === 1 ? '' : 's'}: ${tally}` };
  }
  if (status.measurements.length === 0) return { phase: 'Pending' };
  const last = status.measurements[status.measurements.length - 1];
  return { phase: 'Running', message: last?.message };
}

export interface MeasurementTiming {
  startedAt: Date;
  finishedAt: Date;
}

/**
 * Folds one measurement into the metric status and re-assesses the phase.
 * A metric already in a terminal phase is returned unchanged (late results are
 * dropped). History keeps the last `MEASUREMENT_HISTORY_LIMIT` measurements.
 */
export function applyMeasurement(
  metric: MetricSpec,
  status: MetricStatus | undefined,
  result: MeasurementResult,
  timing: MeasurementTiming,
  opts: MetricRunOptions = {},
): MetricStatus {
  const prev = status ?? initialMetricStatus(metric.name);
  if (isTerminal(prev.phase)) return prev;

  const entry: MeasurementStatus = {
    phase: result.phase,
    startedAt: timing.startedAt.toISOString(),
    finishedAt: timing.finishedAt.toISOString(),
  };
  if (result.value !== undefined) entry.value = result.value;
  if (result.message !== undefined) entry.message = result.message;

  const next: MetricStatus = { ...prev, measurements: [...prev.measurements, entry].slice(-MEASUREMENT_HISTORY_LIMIT) };
  if (!result.provisional) {
    switch (result.phase) {
      case 'Successful':
        next.successful++;
        break;
      case 'Failed':
        next.failed++;
        break;
      case 'Inconclusive':
        next.inconclusive++;
        break;
      case 'Error':
        next.error++;
        break;
    }
    if (result.phase === 'Error') {
      next.consecutiveErrors++;
    } else {
      next.count++;
      next.consecutiveErrors = 0;
    }
  }

  if (result.fatal && result.phase === 'Error') {
    next.phase = 'Error';
    next.message = result.message ?? 'configuration error';
    return next;
  }
  if (result.critical && result.phase === 'Failed' && !result.provisional) {
    next.phase = 'Failed';
    next.message = `critical metric failed: ${result.message ?? `value ${result.value ?? ''}`}`;
    return next;
  }
  const assessed = assessMetric(metric, { ...next, phase: 'Running' }, false, opts);
  next.phase = assessed.phase === 'Pending' ? 'Running' : assessed.phase;
  if (assessed.message !== undefined) next.message = assessed.message;
  else delete next.message;
  return next;
}

/**
 * Ends a metric when its run is terminated (background analysis stopped, step
 * left): a metric without `count` gets its final phase here.
 */
export function terminateMetric(metric: MetricSpec, status: MetricStatus | undefined, opts: MetricRunOptions = {}): MetricStatus {
  const prev = status ?? initialMetricStatus(metric.name);
  if (isTerminal(prev.phase)) return prev;
  const assessed = assessMetric(metric, prev, true, opts);
  const next: MetricStatus = { ...prev, phase: assessed.phase };
  if (assessed.message !== undefined) next.message = assessed.message;
  return next;
}

export interface DueTime {
  /** True when a measurement should be taken now. */
  due: boolean;
  at: Date;
  /** Milliseconds until `at` (0 when due): the controller's requeueAfter. */
  delayMs: number;
}

/**
 * When the next measurement is due: `initialDelay` after the run started for the
 * first one, then `interval` after the previous one finished; after an error,
 * sooner (at most `ERROR_RETRY_INTERVAL_MS`). `undefined` once the metric is done.
 */
export function nextMeasurementDue(metric: MetricSpec, status: MetricStatus | undefined, now: Date, runStartedAt: Date): DueTime | undefined {
  if (status && isTerminal(status.phase)) return undefined;
  const eff = effectiveMetric(metric);
  const last = status?.measurements[status.measurements.length - 1];
  let atMs: number;
  if (!last) {
    atMs = runStartedAt.getTime() + eff.initialDelayMs;
  } else {
    const lastAt = Date.parse(last.finishedAt ?? last.startedAt);
    const wait = last.phase === 'Error' ? Math.min(eff.intervalMs, ERROR_RETRY_INTERVAL_MS) : eff.intervalMs;
    atMs = lastAt + wait;
  }
  const delayMs = Math.max(0, atMs - now.getTime());
  return { due: delayMs === 0, at: new Date(atMs), delayMs };
}
