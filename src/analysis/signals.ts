import { formatValue } from './conditions.js';
import { formatDuration } from '../api/durations.js';
import type { QueryResult } from './providers/provider.js';
import type { MeasurementResult, SignalKind } from './types.js';

/**
 * Built-in observability signals: "the canary is visible". Each is a PromQL
 * query over the canary's revision label. What a workload must export (or the
 * template must override with `signal.query`):
 *
 *  | signal            | series (labelled `revision="<pod-template-hash>"`)       | passes when        |
 *  |-------------------|----------------------------------------------------------|--------------------|
 *  | `scraped`         | `up` (written by Prometheus itself)                      | every target up==1 |
 *  | `requests`        | `http_requests_total` counter                            | sum(rate) > 0      |
 *  | `logs`            | `log_messages_total` counter (log lines emitted)         | sum(rate) > 0      |
 *  | `traces`          | `spans_exported_total` counter (spans sent to the OTLP exporter) | sum(rate) > 0 |
 *  | `flagEvaluations` | `feature_flag_evaluations_total{key="<flag>"}` counter   | sum(rate) > 0      |
 *
 * A missing signal FAILS, naming the signal: a canary that serves but is
 * invisible cannot be judged, and promoting it would blind on-call.
 *
 * Except at the start. Right after the canary's pods start, the series are
 * legitimately absent: Prometheus must discover the targets, scrape them, and a
 * `rate()` needs two samples inside its window. Failing then would fail every
 * healthy canary; counting it as inconclusive would trip the default
 * inconclusiveLimit of 0 and pause every rollout. So during a discovery grace
 * period measured from the start of the analysis run (time-based, hence exact
 * across controller restarts) an absent series or a zero rate is recorded as a
 * *provisional* inconclusive measurement: kept in history with the reason, but
 * not counted, so it neither passes nor fails the metric. After the grace
 * period the same evidence fails. A target that is discovered but down
 * (`up == 0`) fails at once: that is evidence, not its absence. NaN is
 * inconclusive as everywhere else.
 */

export const SIGNAL_SERIES: Record<Exclude<SignalKind, 'scraped'>, string> = {
  requests: 'http_requests_total',
  logs: 'log_messages_total',
  traces: 'spans_exported_total',
  flagEvaluations: 'feature_flag_evaluations_total',
};

const SIGNAL_NOUN: Record<SignalKind, string> = {
  scraped: 'scrape target (up)',
  requests: 'request telemetry',
  logs: 'log telemetry',
  traces: 'trace telemetry',
  flagEvaluations: 'flag evaluations',
};

export const DEFAULT_SIGNAL_RATE_WINDOW = '30s';
export const DEFAULT_DISCOVERY_GRACE_MS = 120_000;

export interface SignalOptions {
  /** Label carrying the pod-template hash on every series; default `revision`. */
  revisionLabel?: string;
  /** Extra label matchers, e.g. `{ namespace: 'shop' }` when hashes may repeat across namespaces. */
  matchers?: Record<string, string>;
  /** `rate()` window; default `30s` (needs at least two scrapes inside it). */
  rateWindow?: string;
  /** How long absent series are provisional after the run starts; default 2m. */
  discoveryGraceMs?: number;
  /** The flag key, required by `flagEvaluations`. */
  flagKey?: string;
}

/** Escapes a PromQL double-quoted label value. */
export function promLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function selector(revision: string, opts: SignalOptions, extra: Record<string, string> = {}): string {
  const all: Record<string, string> = { [opts.revisionLabel ?? 'revision']: revision, ...opts.matchers, ...extra };
  return `{${Object.entries(all)
    .map(([k, v]) => `${k}="${promLabelValue(v)}"`)
    .join(',')}}`;
}

export class SignalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignalError';
  }
}

/** The generated PromQL for a signal on a canary revision. */
export function signalQuery(kind: SignalKind, revision: string, opts: SignalOptions = {}): string {
  if (kind === 'scraped') return `up${selector(revision, opts)}`;
  const window = opts.rateWindow ?? DEFAULT_SIGNAL_RATE_WINDOW;
  let extra: Record<string, string> = {};
  if (kind === 'flagEvaluations') {
    if (!opts.flagKey) throw new SignalError('signal flagEvaluations needs a flag key: set spec.flag on the Rollout or override signal.query');
    extra = { key: opts.flagKey };
  }
  return `sum(rate(${SIGNAL_SERIES[kind]}${selector(revision, opts, extra)}[${window}]))`;
}

function values(result: QueryResult): number[] {
  switch (result.kind) {
    case 'scalar':
      return [result.value];
    case 'vector':
      return result.samples.map((s) => s.value);
    case 'matrix':
      return result.series.map((s) => s.values[s.values.length - 1]?.[1] ?? NaN);
  }
}

export interface SignalJudgeContext {
  /** Time since the analysis run started. */
  elapsedMs: number;
  graceMs?: number;
  /** For messages: the query that was run. */
  query: string;
}

/** Judges a signal's query result; see the module comment for the rules. */
export function judgeSignal(kind: SignalKind, result: QueryResult, ctx: SignalJudgeContext): MeasurementResult {
  const graceMs = ctx.graceMs ?? DEFAULT_DISCOVERY_GRACE_MS;
  const inGrace = ctx.elapsedMs < graceMs;
  const noun = SIGNAL_NOUN[kind];
  const vals = values(result);
  const missing = (why: string): MeasurementResult =>
    inGrace
      ? {
          phase: 'Inconclusive',
          provisional: true,
          message: `signal ${kind} not seen yet (${why}); within the ${formatDuration(graceMs)} discovery grace period`,
        }
      : { phase: 'Failed', message: `signal ${kind} missing: the canary emits no ${noun} (${why}) after ${formatDuration(ctx.elapsedMs)}` };

  if (vals.length === 0) {
    return missing(kind === 'scraped' ? `no up series for ${ctx.query}: Prometheus has not discovered the canary's targets` : `no series for ${ctx.query}`);
  }
  const value = formatValue(vals.length === 1 ? (vals[0] as number) : vals);
  if (vals.some((v) => Number.isNaN(v))) return { phase: 'Inconclusive', value, message: `signal ${kind}: query returned NaN` };
  if (kind === 'scraped') {
    const down = vals.filter((v) => v < 1).length;
    if (down > 0) return { phase: 'Failed', value, message: `signal scraped failing: ${down} of ${vals.length} canary targets down (up == 0)` };
    return { phase: 'Successful', value, message: `${vals.length} canary target${vals.length === 1 ? '' : 's'} up` };
  }
  const total = vals.reduce((a, b) => a + b, 0);
  if (total <= 0) {
    const zero = missing(`rate of ${ctx.query} is 0`);
    return { ...zero, value };
  }
  return { phase: 'Successful', value };
}
