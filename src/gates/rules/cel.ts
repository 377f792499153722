import { Environment, type ParseResult } from '@marcbachmann/cel-js';
import type { CelRule } from '../../api/index.js';
import type { RuleContext, Violation } from '../context.js';

// The variables of src/api's policyCelError, plus oldObject for UPDATE admission
// (null on CREATE and in the controller, like ValidatingAdmissionPolicy).
const env = new Environment()
  .registerVariable('object', 'map')
  .registerVariable('oldObject', 'dyn')
  .registerVariable('namespaceObject', 'map')
  .registerVariable('origin', 'string');

const CACHE_LIMIT = 500;
const programs = new Map<string, ParseResult | Error>();

function compile(expression: string): ParseResult | Error {
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

/** JSON integers become CEL ints so `object.spec.replicas == 3` means what it says. */
function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  // Objects from the typed client carry Dates; CEL sees the wire form.
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toCel(v);
    return out;
  }
  return value;
}

// Converted once per object, not once per rule: informer caches and one admission
// request hand the same object to every rule.
const converted = new WeakMap<object, unknown>();
function celValue(value: object): unknown {
  let out = converted.get(value);
  if (out === undefined) {
    out = toCel(value);
    converted.set(value, out);
  }
  return out;
}

const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';

/** The escape hatch: a CEL expression that must be true. Errors fail closed. */
export function checkCel(rule: CelRule, ctx: RuleContext): Violation[] {
  const fix = `make \`${rule.expression}\` true`;
  const program = compile(rule.expression);
  if (program instanceof Error) return [{ message: `${rule.message} (expression does not compile: ${firstLine(program)})`, fix }];
  let value: unknown;
  try {
    value = program({
      object: celValue(ctx.object),
      oldObject: ctx.oldObject === undefined ? null : celValue(ctx.oldObject),
      namespaceObject: ctx.namespace === undefined ? {} : celValue(ctx.namespace),
      origin: ctx.origin,
    });
  } catch (e) {
    return [{ message: `${rule.message} (evaluation failed: ${firstLine(e)})`, fix }];
  }
  if (value === true) return [];
  if (value !== false) return [{ message: `${rule.message} (expression returned ${typeof value}, not bool)`, fix }];
  return [{ message: rule.message, fix }];
}
