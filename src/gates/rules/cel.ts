import type { CelRule } from '../../api/index.js';
import { firstLine } from '../../cel/errors.js';
import { compilePolicyRule } from '../../cel/policy.js';
import type { RuleContext, Violation } from '../context.js';

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

/** The escape hatch: a CEL expression that must be true. Errors fail closed. */
export function checkCel(rule: CelRule, ctx: RuleContext): Violation[] {
  const fix = `make \`${rule.expression}\` true`;
  const program = compilePolicyRule(rule.expression);
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
