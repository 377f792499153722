// The JsonLogic subset flagd targeting uses in practice, with flagd's custom
// operators (fractional, starts_with, ends_with) and $evaluators references.
// Enough to evaluate real flag files in the stand-in app; unknown operators
// fail loudly rather than guessing.
import { murmur3x86_32 } from './murmur3.js';
import type { JsonValue } from './flagd-format.js';

export class JsonLogicError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonLogicError';
  }
}

export interface LogicContext {
  /** The evaluation context, with flagd's `$flagd` properties merged in. */
  data: Record<string, JsonValue>;
  /** Shared rules from the document's `$evaluators`, referenced with `{"$ref": name}`. */
  evaluators?: Record<string, JsonValue>;
}

type Value = JsonValue | undefined;

function isRule(v: Value): v is Record<string, JsonValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1;
}

/** JsonLogic truthiness: like JavaScript, except that an empty array is false. */
export function truthy(v: Value): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}

function lookup(data: Value, path: string): Value {
  if (path === '') return data;
  let cur: Value = data;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(seg)] : cur[seg];
  }
  return cur;
}

function asString(v: Value): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function compare(op: string, a: Value, b: Value): boolean {
  // JsonLogic compares numerically when either side is a number, as JavaScript does.
  const x = a as number;
  const y = b as number;
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    default:
      return x >= y;
  }
}

function looseEqual(a: Value, b: Value): boolean {
  // Loose equality is part of JsonLogic's contract ("==" is JavaScript's ==).
  return (a ?? null) == (b ?? null);
}

const TWO_32 = 2n ** 32n;

/**
 * flagd's `fractional`: hash the bucketing string with murmur3 and map the
 * 32-bit hash onto the summed weights (hash * total >> 32), which is flagd's
 * integer bucketing; weights default to 1. Without an explicit bucketing
 * string, flagd buckets by flag key + targeting key.
 */
export function fractional(args: Value[], data: Record<string, JsonValue>): Value {
  let rest = args;
  let bucketBy: string;
  if (typeof rest[0] === 'string') {
    bucketBy = rest[0];
    rest = rest.slice(1);
  } else {
    if (rest[0] === null || rest[0] === undefined) rest = rest.slice(1);
    const targetingKey = data.targetingKey;
    if (typeof targetingKey !== 'string') return null;
    const flagKey = lookup(data, '$flagd.flagKey');
    bucketBy = `${typeof flagKey === 'string' ? flagKey : ''}${targetingKey}`;
  }
  const buckets = rest.map((d) => {
    if (!Array.isArray(d) || d.length === 0) throw new JsonLogicError('fractional: each distribution must be [variant, weight]');
    const weight = d.length >= 2 && d[1] !== null ? d[1] : 1;
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0) {
      throw new JsonLogicError('fractional: weights must be non-negative integers');
    }
    return { variant: d[0] as JsonValue, weight };
  });
  const total = buckets.reduce((s, b) => s + b.weight, 0);
  if (total === 0) return null;
  const bucket = (BigInt(murmur3x86_32(bucketBy)) * BigInt(total)) / TWO_32;
  let end = 0n;
  for (const b of buckets) {
    end += BigInt(b.weight);
    if (bucket < end) return b.variant;
  }
  return null;
}

export function evaluateLogic(rule: Value, ctx: LogicContext, depth = 0): Value {
  if (depth > 64) throw new JsonLogicError('rule nests too deeply (recursive $ref?)');
  if (Array.isArray(rule)) return rule.map((r) => evaluateLogic(r, ctx, depth + 1) ?? null);
  if (!isRule(rule)) return rule;
  const [op, rawArgs] = Object.entries(rule)[0] as [string, JsonValue];
  const raw: JsonValue[] = Array.isArray(rawArgs) ? rawArgs : [rawArgs];
  const ev = (r: Value): Value => evaluateLogic(r, ctx, depth + 1);
  const args = (): Value[] => raw.map(ev);

  switch (op) {
    case 'var': {
      const [path, fallback] = args();
      const v = lookup(ctx.data, path === null || path === undefined ? '' : String(path));
      return v === undefined || v === null ? (fallback ?? null) : v;
    }
    case '$ref': {
      const name = ev(raw[0]);
      const target = typeof name === 'string' ? ctx.evaluators?.[name] : undefined;
      if (target === undefined) throw new JsonLogicError(`$ref: no evaluator named ${JSON.stringify(name)}`);
      return ev(target);
    }
    case 'if':
    case '?:': {
      let i = 0;
      for (; i + 1 < raw.length; i += 2) if (truthy(ev(raw[i]))) return ev(raw[i + 1]);
      return i < raw.length ? ev(raw[i]) : null;
    }
    case 'and': {
      let last: Value = null;
      for (const r of raw) if (!truthy((last = ev(r)))) return last;
      return last;
    }
    case 'or': {
      let last: Value = null;
      for (const r of raw) if (truthy((last = ev(r)))) return last;
      return last;
    }
    case '!':
      return !truthy(args()[0]);
    case '!!':
      return truthy(args()[0]);
    case '==': {
      const [a, b] = args();
      return looseEqual(a, b);
    }
    case '!=': {
      const [a, b] = args();
      return !looseEqual(a, b);
    }
    case '===': {
      const [a, b] = args();
      return a === b;
    }
    case '!==': {
      const [a, b] = args();
      return a !== b;
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const v = args();
      // Three arguments on < and <= mean "between".
      if (v.length === 3 && (op === '<' || op === '<=')) return compare(op, v[0], v[1]) && compare(op, v[1], v[2]);
      return compare(op, v[0], v[1]);
    }
    case 'in': {
      const [needle, hay] = args();
      if (typeof hay === 'string') return hay.includes(asString(needle));
      return Array.isArray(hay) ? hay.some((h) => h === needle) : false;
    }
    case 'cat':
      return args().map(asString).join('');
    case 'starts_with':
    case 'ends_with': {
      const [s, affix] = args();
      if (typeof s !== 'string' || typeof affix !== 'string') return false;
      return op === 'starts_with' ? s.startsWith(affix) : s.endsWith(affix);
    }
    case 'fractional':
      return fractional(args(), ctx.data);
    default:
      throw new JsonLogicError(`unsupported operator "${op}"`);
  }
}
