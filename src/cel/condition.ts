// CEL compilation of an analysis metric's successCondition / failureCondition: one
// compiler for the engine that evaluates them and for the API's validation (lint,
// admission), so both accept exactly the same expressions.
import { Environment } from '@marcbachmann/cel-js';
import type { ParseResult } from '@marcbachmann/cel-js';
import { firstLine } from './errors.js';

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
