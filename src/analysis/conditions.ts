// Judging a measured value by a metric's CEL conditions (compiled in src/cel).
import type { ParseResult } from '@marcbachmann/cel-js';
import { compileCondition, ConditionError, type CompiledCondition } from '../cel/condition.js';
import { firstLine } from '../cel/errors.js';
import type { MeasurementPhase } from './types.js';

export { compileCondition, ConditionError, validateCondition, type CompiledCondition } from '../cel/condition.js';

export type ConditionInput = number | readonly number[];

/** Evaluates a compiled condition; throws `ConditionError` on a shape or runtime error. */
export function evaluateCondition(condition: CompiledCondition, input: ConditionInput): boolean {
  let program: ParseResult | undefined;
  let result: number | readonly number[];
  if (typeof input === 'number') {
    program = condition.scalar ?? condition.list;
    result = condition.scalar ? input : [input];
  } else if (input.length === 1 && condition.scalar) {
    program = condition.scalar;
    result = input[0] as number;
  } else {
    program = condition.list;
    result = input;
    if (!program) {
      throw new ConditionError(
        condition.expression,
        `treats result as a scalar but the query returned ${input.length} series; index it (result[0]) or use result.all(x, ...)`,
      );
    }
  }
  if (!program) throw new ConditionError(condition.expression, 'no applicable program');
  let out: unknown;
  try {
    out = program({ result });
  } catch (e) {
    throw new ConditionError(condition.expression, firstLine(e));
  }
  if (typeof out !== 'boolean') throw new ConditionError(condition.expression, `evaluated to ${String(out)}, not a bool`);
  return out;
}

export interface ConditionSpec {
  successCondition?: string;
  failureCondition?: string;
}

export interface Judgement {
  phase: MeasurementPhase;
  message?: string;
}

/** How a value is written in status and messages (`0.12`, `[0.1, 0.2]`). */
export function formatValue(input: ConditionInput): string {
  const one = (v: number): string => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))));
  return typeof input === 'number' ? one(input) : `[${input.map(one).join(', ')}]`;
}

function hasNaN(input: ConditionInput): boolean {
  return typeof input === 'number' ? Number.isNaN(input) : input.some((v) => Number.isNaN(v));
}

/**
 * Argo Rollouts semantics for a measured value:
 *  - success only: Successful when it holds, else Failed;
 *  - failure only: Failed when it holds, else Successful;
 *  - both: Failed when failure holds, Successful when success holds, else Inconclusive;
 *  - neither: Successful (a value was obtained).
 * Stricter than Argo: an empty vector or NaN is Inconclusive, never Successful,
 * and a condition that cannot be evaluated is an Error.
 */
export function judgeValue(spec: ConditionSpec, input: ConditionInput): Judgement {
  if (typeof input !== 'number' && input.length === 0) {
    return { phase: 'Inconclusive', message: 'query returned no data (empty vector)' };
  }
  if (hasNaN(input)) return { phase: 'Inconclusive', message: `query returned NaN (${formatValue(input)})` };
  const value = formatValue(input);
  try {
    const failure = spec.failureCondition ? evaluateCondition(compileCondition(spec.failureCondition), input) : undefined;
    if (failure === true) return { phase: 'Failed', message: `value ${value} met failureCondition "${spec.failureCondition}"` };
    const success = spec.successCondition ? evaluateCondition(compileCondition(spec.successCondition), input) : undefined;
    if (success === true) return { phase: 'Successful' };
    if (success === false && failure === undefined) {
      return { phase: 'Failed', message: `value ${value} did not meet successCondition "${spec.successCondition}"` };
    }
    if (success === false) {
      return {
        phase: 'Inconclusive',
        message: `value ${value} met neither successCondition "${spec.successCondition}" nor failureCondition "${spec.failureCondition}"`,
      };
    }
    return { phase: 'Successful' };
  } catch (e) {
    return { phase: 'Error', message: e instanceof Error ? e.message : String(e) };
  }
}
