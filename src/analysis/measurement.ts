import { formatValue, judgeValue } from './conditions.js';
import type { ConditionInput, ConditionSpec } from './conditions.js';
import { DurationError } from '../api/durations.js';
import { ProviderError } from './providers/provider.js';
import type { Labels, QueryResult } from './providers/provider.js';
import { TemplateError } from './templating.js';
import type { MeasurementResult } from './types.js';

/** Orders series by their labels so vector values are deterministic across queries. */
function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k] ?? ''}`)
    .join(',');
}

/**
 * The value a condition sees: a scalar as a number, a vector as its sample
 * values (ordered by labels), a matrix as every point of every series flattened
 * (conditions are meant for instant queries; compare metrics use matrices).
 */
export function conditionInput(result: QueryResult): ConditionInput {
  switch (result.kind) {
    case 'scalar':
      return result.value;
    case 'vector':
      return [...result.samples].sort((a, b) => labelKey(a.labels).localeCompare(labelKey(b.labels))).map((s) => s.value);
    case 'matrix':
      return [...result.series].sort((a, b) => labelKey(a.labels).localeCompare(labelKey(b.labels))).flatMap((s) => s.values.map(([, v]) => v));
  }
}

/** Judges a query result with the metric's success/failure conditions. */
export function judgeQueryResult(spec: ConditionSpec, result: QueryResult): MeasurementResult {
  const input = conditionInput(result);
  const judged = judgeValue(spec, input);
  const out: MeasurementResult = { phase: judged.phase };
  if (typeof input === 'number' || input.length > 0) out.value = formatValue(input);
  if (judged.message !== undefined) out.message = judged.message;
  return out;
}

/**
 * Maps a failure to a measurement: an unreachable or timed-out backend is
 * missing evidence (Inconclusive); a bad query, bad credentials, a bad template
 * or duration is an Error.
 */
export function measurementFromError(err: unknown): MeasurementResult {
  if (err instanceof ProviderError) {
    if (err.kind === 'config') return { phase: 'Error', fatal: true, message: `configuration error${err.field ? ` in ${err.field}` : ''}: ${err.message}` };
    return { phase: err.inconclusive ? 'Inconclusive' : 'Error', message: `${err.kind}: ${err.message}` };
  }
  if (err instanceof TemplateError || err instanceof DurationError) return { phase: 'Error', message: err.message };
  return { phase: 'Error', message: err instanceof Error ? err.message : String(err) };
}
