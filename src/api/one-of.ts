import type { z } from 'zod';
import { withCelRules } from './cel-rules.js';

/**
 * "Exactly one of" for union-like objects (step kinds, rule kinds, sources).
 * Kubernetes structural schemas cannot use oneOf between property sets, so the same rule
 * is expressed twice from one list of keys: a zod refinement (lint, webhook) and a CEL
 * `x-kubernetes-validations` rule (API server).
 */
export function exactlyOneOf<T extends z.ZodObject>(schema: T, keys: readonly string[], what: string): T {
  const list = formatKeys(keys, 'or');
  const message = `${what}: set exactly one of ${list}`;
  const refined = schema.superRefine((value, ctx) => {
    const set = keys.filter((k) => (value as Record<string, unknown>)[k] !== undefined);
    if (set.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: set.length === 0 ? message : `${message} (found ${formatKeys(set, 'and')})`,
      });
    }
  });
  return withCelRules(refined, { rule: `${celHasList(keys)}.filter(x, x).size() == 1`, message });
}

/** "At most one of": for optional alternatives such as authentication methods. */
export function atMostOneOf<T extends z.ZodObject>(schema: T, keys: readonly string[], what: string): T {
  const message = `${what}: set at most one of ${formatKeys(keys, 'or')}`;
  const refined = schema.superRefine((value, ctx) => {
    const set = keys.filter((k) => (value as Record<string, unknown>)[k] !== undefined);
    if (set.length > 1) ctx.addIssue({ code: 'custom', message: `${message} (found ${formatKeys(set, 'and')})` });
  });
  return withCelRules(refined, { rule: `${celHasList(keys)}.filter(x, x).size() <= 1`, message });
}

/** The key of the single alternative that is set, for narrowing in code. */
export function whichOf<K extends string>(value: Partial<Record<K, unknown>>, keys: readonly K[]): K | undefined {
  return keys.find((k) => value[k] !== undefined);
}

function celHasList(keys: readonly string[]): string {
  return `[${keys.map((k) => `has(self.${k})`).join(', ')}]`;
}

function formatKeys(keys: readonly string[], conj: string): string {
  if (keys.length <= 1) return keys.join('');
  return `${keys.slice(0, -1).join(', ')} ${conj} ${keys[keys.length - 1] ?? ''}`;
}
