// CEL of a policy's escape-hatch rule (ContextPolicy rules[].cel): the environment the
// rule is evaluated in (src/gates) and the one it is checked against (src/api validation).
import { Environment, type ParseResult } from '@marcbachmann/cel-js';
import { firstLine } from './errors.js';

// Variables a policy's CEL rule sees, named as in ValidatingAdmissionPolicy ('namespace' is
// reserved in CEL): the Deployment, the Deployment before an UPDATE (null on CREATE and in
// the controller's gate), its Namespace and the change origin. One environment checks a
// rule (lint, admission of the policy) and runs it, so a rule that passes the check runs.
const env = new Environment()
  .registerVariable('object', 'map')
  .registerVariable('oldObject', 'dyn')
  .registerVariable('namespaceObject', 'map')
  .registerVariable('origin', 'string');

/** Why a policy CEL rule does not compile or is not boolean, or undefined. */
export function policyCelError(expression: string): string | undefined {
  let checked;
  try {
    checked = env.check(expression);
  } catch (e) {
    return firstLine(e);
  }
  if (!checked.valid) return firstLine(checked.error);
  if (checked.type !== 'bool' && checked.type !== 'dyn') return `must evaluate to bool, not ${checked.type}`;
  return undefined;
}

const CACHE_LIMIT = 500;
const programs = new Map<string, ParseResult | Error>();

/** The program of a policy CEL rule, or why it does not parse; cached by expression text. */
export function compilePolicyRule(expression: string): ParseResult | Error {
  const hit = programs.get(expression);
  if (hit !== undefined) return hit;
  let result: ParseResult | Error;
  try {
    result = env.parse(expression);
  } catch (e) {
    result = e instanceof Error ? e : new Error(String(e));
  }
  if (programs.size >= CACHE_LIMIT) programs.clear();
  programs.set(expression, result);
  return result;
}
