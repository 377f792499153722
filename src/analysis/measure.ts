import { judgeCompare } from './compare-judge.js';
import type { CompareVerdict } from './compare-judge.js';
import { formatValue } from './conditions.js';
import { parseDuration } from '../api/durations.js';
import { judgeQueryResult, measurementFromError } from './measurement.js';
import { providerKind, type ProviderSource } from './providers/factory.js';
import type { MetricProvider, QueryResult } from './providers/provider.js';
import { judgeSignal, signalQuery } from './signals.js';
import type { SignalOptions } from './signals.js';
import { renderTemplate, TemplateError } from './templating.js';
import type { TemplateContext } from './templating.js';
import type { CompareProviderSpec, Credentials, EffectiveCompare, MeasurementResult, MetricSpec } from './types.js';
import { effectiveCompare } from './defaults.js';

export interface MeasureContext {
  templating: TemplateContext;
  /** Revision of baseline pods, for `compare.against: baseline`. */
  baselineRevision?: string;
  now: Date;
  runStartedAt: Date;
  signals?: SignalOptions;
  signal?: AbortSignal;
}

/** Every value of a range (or instant) result, as independent samples. */
export function samplesOf(result: QueryResult): number[] {
  switch (result.kind) {
    case 'scalar':
      return [result.value];
    case 'vector':
      return result.samples.map((s) => s.value);
    case 'matrix':
      return result.series.flatMap((s) => s.values.map(([, v]) => v));
  }
}

function compareMeasurement(verdict: CompareVerdict, spec: EffectiveCompare): MeasurementResult {
  const out: MeasurementResult = {
    phase: verdict.verdict === 'pass' ? 'Successful' : verdict.verdict === 'fail' ? 'Failed' : 'Inconclusive',
    message: verdict.message,
  };
  if (verdict.effect) out.value = formatValue(verdict.effect.ratio);
  if (verdict.verdict === 'fail') {
    // Non-critical regressions pause the rollout for a human instead of failing it.
    if (spec.critical === false) {
      out.phase = 'Inconclusive';
      out.message = `non-critical regression: ${verdict.message}`;
    } else {
      out.critical = true;
    }
  }
  return out;
}

async function measureCompare(written: CompareProviderSpec, provider: MetricProvider, ctx: MeasureContext): Promise<MeasurementResult> {
  const spec = effectiveCompare(written);
  const canary = ctx.templating.canaryRevision;
  const other = spec.against === 'stable' ? ctx.templating.stableRevision : ctx.baselineRevision;
  if (!canary) throw new TemplateError('compare needs the canary revision', 'canary.revision');
  if (!other) {
    throw new TemplateError(
      spec.against === 'baseline'
        ? 'compare against baseline needs a baseline: set spec.strategy.canary.baseline: true on the Rollout'
        : 'compare against stable needs the stable revision',
      `${spec.against}.revision`,
    );
  }
  const windowMs = parseDuration(spec.window);
  const stepMs = parseDuration(spec.step);
  const range = { start: new Date(ctx.now.getTime() - windowMs), end: ctx.now, stepMs };
  const opts = { range, signal: ctx.signal };
  const [c, s] = await Promise.all([
    provider.query(renderTemplate(spec.query, { ...ctx.templating, revision: canary }), opts),
    provider.query(renderTemplate(spec.query, { ...ctx.templating, revision: other }), opts),
  ]);
  return compareMeasurement(judgeCompare(samplesOf(c), samplesOf(s), spec), spec);
}

/**
 * The metric's provider, or the Error measurement that says why it cannot be built (no
 * address, a bad scheme, an unresolved credential): never a throw, so a broken template
 * fails its own analysis instead of the whole reconcile.
 */
export function providerFor(
  source: ProviderSource,
  metric: MetricSpec,
  credentials?: Credentials,
): { provider: MetricProvider } | { error: MeasurementResult } {
  try {
    return { provider: source.forMetric(metric, credentials) };
  } catch (err) {
    return { error: measurementFromError(err) };
  }
}

/**
 * Takes one measurement of a metric through its provider and judges it. Never
 * throws: a failure becomes an Error or (unreachable backend) Inconclusive result.
 */
export async function takeMeasurement(metric: MetricSpec, provider: MetricProvider, ctx: MeasureContext): Promise<MeasurementResult> {
  try {
    const kind = providerKind(metric.provider);
    if (kind === 'compare' && metric.provider.compare) return await measureCompare(metric.provider.compare, provider, ctx);
    if (kind === 'signal' && metric.provider.signal) {
      const { kind: signal, query: override } = metric.provider.signal;
      const canary = ctx.templating.canaryRevision;
      if (!canary && !override) throw new TemplateError('signal needs the canary revision', 'canary.revision');
      const query = override ? renderTemplate(override, ctx.templating) : signalQuery(signal, canary as string, ctx.signals);
      const result = await provider.query(query, { time: ctx.now, signal: ctx.signal });
      return judgeSignal(signal, result, { elapsedMs: ctx.now.getTime() - ctx.runStartedAt.getTime(), graceMs: ctx.signals?.discoveryGraceMs, query });
    }
    const spec = metric.provider.prometheus;
    if (!spec) throw new TemplateError('metric has no prometheus query');
    const query = renderTemplate(spec.query, ctx.templating);
    const result = await provider.query(query, { time: ctx.now, signal: ctx.signal });
    return judgeQueryResult(metric, result);
  } catch (err) {
    return measurementFromError(err);
  }
}
