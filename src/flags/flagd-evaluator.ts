// Resolves a flag the way flagd does: disabled flags fall back to the caller's
// default, targeting picks a variant (null means "use the default variant"),
// and a targeting result that names no variant is an error, not a guess.
import { hasTargeting } from './flagd-format.js';
import type { FlagdDocument, JsonValue } from './flagd-format.js';
import { evaluateLogic, JsonLogicError } from './json-logic.js';

/** OpenFeature resolution reasons that flagd reports. */
export type ResolutionReason = 'STATIC' | 'DEFAULT' | 'TARGETING_MATCH' | 'DISABLED' | 'ERROR';
export type ResolutionErrorCode = 'FLAG_NOT_FOUND' | 'PARSE_ERROR' | 'GENERAL';

export interface Resolution {
  reason: ResolutionReason;
  /** Absent when the caller's code default applies (disabled, error, or no default variant). */
  variant?: string;
  value?: JsonValue;
  errorCode?: ResolutionErrorCode;
  message?: string;
}

export interface EvaluationContext {
  targetingKey?: string;
  [attribute: string]: JsonValue | undefined;
}

export function resolveFlag(doc: FlagdDocument, flagKey: string, context: EvaluationContext = {}, now = new Date()): Resolution {
  const flag = doc.flags[flagKey];
  if (!flag) return { reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND', message: `flag ${flagKey} not found` };
  if (flag.state === 'DISABLED') return { reason: 'DISABLED' };

  const byDefault = (reason: ResolutionReason): Resolution =>
    flag.defaultVariant === null ? { reason: 'DEFAULT' } : { reason, variant: flag.defaultVariant, value: flag.variants[flag.defaultVariant] ?? null };

  if (!hasTargeting(flag)) return byDefault('STATIC');

  const data: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(context)) if (v !== undefined) data[k] = v;
  data.$flagd = { flagKey, timestamp: Math.floor(now.getTime() / 1000) };

  let result: JsonValue | undefined;
  try {
    result = evaluateLogic(flag.targeting, { data, evaluators: doc.$evaluators ?? {} });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { reason: 'ERROR', errorCode: err instanceof JsonLogicError ? 'PARSE_ERROR' : 'GENERAL', message };
  }
  if (result === null || result === undefined) return byDefault('DEFAULT');
  // flagd maps boolean targeting results onto variants named "true"/"false".
  const variant = typeof result === 'boolean' || typeof result === 'number' ? String(result) : result;
  if (typeof variant !== 'string' || !(variant in flag.variants)) {
    return { reason: 'ERROR', errorCode: 'GENERAL', message: `targeting returned ${JSON.stringify(result)}, which is not a variant of ${flagKey}` };
  }
  return { reason: 'TARGETING_MATCH', variant, value: flag.variants[variant] ?? null };
}
