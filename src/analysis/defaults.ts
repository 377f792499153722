import { parseDurationOr } from '../api/durations.js';
import { DEFAULT_P_VALUE } from './compare-judge.js';
import type { CompareProviderSpec, EffectiveCompare, MetricSpec } from './types.js';

/** Argo Rollouts defaults, applied here so raw and schema-parsed specs behave alike. */
export const DEFAULT_INTERVAL_MS = 30_000;
export const DEFAULT_FAILURE_LIMIT = 0;
export const DEFAULT_INCONCLUSIVE_LIMIT = 0;
export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;
/** Errors are retried sooner than a long interval so a blip does not stall the run. */
export const ERROR_RETRY_INTERVAL_MS = 10_000;
/** Bounded retention of measurement history per metric (in status, so keep it small). */
export const MEASUREMENT_HISTORY_LIMIT = 10;

/**
 * How a run uses its metrics. A step analysis (the default) blocks its step, so a
 * metric without `count` takes one measurement; background analysis runs across
 * steps, so such a metric measures until the run is terminated.
 */
export interface MetricRunOptions {
  background?: boolean;
}

export interface EffectiveMetric {
  intervalMs: number;
  initialDelayMs: number;
  /** `undefined`: measure until the run is terminated (background analysis only). */
  count: number | undefined;
  /** A negative limit means unlimited, as in Argo Rollouts. */
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
}

/** Resolves defaults and parses durations; throws `DurationError` on a bad duration. */
export function effectiveMetric(metric: MetricSpec, opts: MetricRunOptions = {}): EffectiveMetric {
  const count = metric.count === undefined || metric.count <= 0 ? undefined : metric.count;
  return {
    intervalMs: parseDurationOr(metric.interval, DEFAULT_INTERVAL_MS),
    initialDelayMs: parseDurationOr(metric.initialDelay, 0),
    count: count ?? (opts.background ? undefined : 1),
    failureLimit: metric.failureLimit ?? DEFAULT_FAILURE_LIMIT,
    inconclusiveLimit: metric.inconclusiveLimit ?? DEFAULT_INCONCLUSIVE_LIMIT,
    consecutiveErrorLimit: metric.consecutiveErrorLimit ?? DEFAULT_CONSECUTIVE_ERROR_LIMIT,
  };
}

/** A compare provider with the API schema's defaults (test/unit/analysis/measure.test.ts holds them to the schema). */
export function effectiveCompare(spec: CompareProviderSpec): EffectiveCompare {
  return {
    ...spec,
    against: spec.against ?? 'stable',
    step: spec.step ?? '30s',
    direction: spec.direction ?? 'increase',
    pValue: spec.pValue ?? DEFAULT_P_VALUE,
    critical: spec.critical ?? true,
  };
}

/** `value > limit`, where a negative limit never trips. */
export function exceeds(value: number, limit: number): boolean {
  return limit >= 0 && value > limit;
}
