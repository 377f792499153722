// How the stand-in resolves a flag: with flagd's own in-process evaluator, so
// targeting, fractional bucketing and the disabled/default rules are flagd's.
import type { EvaluationContext, FlagValue, FlagValueType, ResolutionDetails } from '@openfeature/core';
import { FlagdCore } from '@openfeature/flagd-core';

export type Resolution = Pick<ResolutionDetails<FlagValue>, 'value' | 'variant' | 'reason' | 'errorCode' | 'errorMessage'>;

/** What the service's code falls back to when flagd gives no variant (disabled, error, no default). */
const CODE_DEFAULTS: Record<FlagValueType, FlagValue> = { boolean: false, string: '', number: 0, object: {} };

/** A flag's type is its variants' type (flagd requires one type per flag); a real service knows it from its code. */
function typeOf(core: FlagdCore, flagKey: string): FlagValueType {
  const first: unknown = core.getFlag(flagKey)?.variants.values().next().value;
  if (typeof first === 'string') return 'string';
  if (typeof first === 'number') return 'number';
  return typeof first === 'object' && first !== null ? 'object' : 'boolean';
}

/** A FlagdCore holding `text` (flagd JSON); throws when flagd rejects it. */
export function flagdCore(text: string): FlagdCore {
  const core = new FlagdCore();
  core.setConfigurations(text);
  return core;
}

export function resolveFlag(core: FlagdCore, flagKey: string, context: EvaluationContext = {}): Resolution {
  const type = typeOf(core, flagKey);
  const { value, variant, reason, errorCode, errorMessage } = core.resolve(type, flagKey, CODE_DEFAULTS[type], context);
  return { value, variant, reason, errorCode, errorMessage };
}
