import { Environment } from '@marcbachmann/cel-js';
import type { ParseResult } from '@marcbachmann/cel-js';
import type { MeasurementPhase } from './types.js';

/**
 * successCondition / failureCondition in CEL over `result`.
 *
 * `result` is a `double` for a scalar and a `list<double>` for a vector. Argo
 * Rollouts users write both `result < 0.05` and `result[0] < 0.05` for a query
 * that returns one series, so each expression is type-checked against both
 * shapes once, at compile time, and the shape it accepts decides how a value is
 * bound:
 *  - accepted as a scalar: a scalar, or a one-element vector, is bound as a double;
 *  - accepted as a list: a vector is bound as a list, a scalar as a one-element list;
 *  - accepted as both (`true`): the scalar binding wins;
 *  - a scalar-only expression applied to a vector of several series is an error
 *    (which series was meant is ambiguous), not a guess.
 * Empty vectors and NaN never reach CEL: they are inconclusive (see `judgeValue`).
 */

export type ConditionInput = number | readonly number[];

export class ConditionError extends Error {
  constructor(
    readonly expression: string,
    reason: string,
  ) {
    super(`condition "${expression}": ${reason}`);
    this.name = 'ConditionError';
  }
}

type Arith = (a: number, b: number) => number;
const ARITHMETIC: Record<string, Arith> = { '+': (a, b) => a + b, '-': (a, b) => a - b, '*': (a, b) => a * b, '/': (a, b) => a / b };

/**
 * CEL keeps int and double apart, so `result == 1` or `result * 100 < 5` would not
 * type-check although that is what users write (`result` is always a double).
 * Mixed int/double equality and arithmetic are registered, computed as doubles.
 */
function makeEnv(resultType: string): Environment {
  const env = new Environment().registerVariable('result', resultType).registerOperator('double == int', (a: number, b: bigint) => a === Number(b));
  for (const [op, fn] of Object.entries(ARITHMETIC)) {
    env.registerOperator(`double ${op} int`, (a: number, b: bigint) => fn(a, Number(b)));
    env.registerOperator(`int ${op} double`, (a: bigint, b: number) => fn(Number(a), b));
  }
  return env;
}

const scalarEnv = makeEnv('double');
const listEnv = makeEnv('list<double>');

export interface CompiledCondition {
  readonly expression: string;
  readonly scalar?: ParseResult;
  readonly list?: ParseResult;
}

const CACHE_LIMIT = 1000;
const cache = new Map<string, CompiledCondition>();

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}

function tryShape(env: Environment, expression: string): { program?: ParseResult; error?: string } {
  let program: ParseResult;
  try {
    program = env.parse(expression);
  } catch (e) {
    return { error: firstLine(e) };
  }
  const checked = program.check();
  if (!checked.valid) return { error: firstLine(checked.error) };
  if (checked.type !== 'bool' && checked.type !== 'dyn') return { error: `must evaluate to bool, not ${checked.type}` };
  return { program };
}

/** Parses and type-checks once; cached by expression text. Throws `ConditionError`. */
export function compileCondition(expression: string): CompiledCondition {
  const hit = cache.get(expression);
  if (hit) return hit;
  if (expression.trim() === '') throw new ConditionError(expression, 'empty expression');
  const scalar = tryShape(scalarEnv, expression);
  const list = tryShape(listEnv, expression);
  if (!scalar.program && !list.program) {
    throw new ConditionError(expression, scalar.error ?? list.error ?? 'invalid');
  }
  const compiled: CompiledCondition = { expression, scalar: scalar.program, list: list.program };
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(expression, compiled);
  return compiled;
}

/** For admission: the reason an expression is invalid, or undefined. */
export function validateCondition(expression: string): string | undefined {
  try {
    compileCondition(expression);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

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
