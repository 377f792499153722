import type { TemplateArg } from './types.js';

/** Values available to `{{...}}` placeholders in queries. */
export interface TemplateContext {
  args?: Record<string, string>;
  rollout?: { name: string; namespace: string };
  canaryRevision?: string;
  stableRevision?: string;
  /**
   * What `{{revision}}` means: the side being queried in a compare metric;
   * elsewhere it defaults to the canary revision.
   */
  revision?: string;
}

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly placeholder?: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

function lookup(key: string, ctx: TemplateContext): string | undefined {
  if (key.startsWith('args.')) {
    const name = key.slice('args.'.length);
    return ctx.args && Object.hasOwn(ctx.args, name) ? ctx.args[name] : undefined;
  }
  switch (key) {
    case 'rollout.name':
      return ctx.rollout?.name;
    case 'rollout.namespace':
      return ctx.rollout?.namespace;
    case 'canary.revision':
      return ctx.canaryRevision;
    case 'stable.revision':
      return ctx.stableRevision;
    case 'revision':
      return ctx.revision ?? ctx.canaryRevision;
    default:
      return undefined;
  }
}

/** The placeholders a template uses, in order of first appearance. */
export function placeholders(template: string): string[] {
  const seen = new Set<string>();
  for (const m of template.matchAll(PLACEHOLDER)) seen.add(m[1] ?? '');
  return [...seen];
}

/**
 * Substitutes every placeholder. Values are inserted verbatim (as in Argo
 * Rollouts): the template decides the quoting. An unknown or unset placeholder is
 * an error naming it, so a query never silently runs with a hole in it.
 */
export function renderTemplate(template: string, ctx: TemplateContext): string {
  const missing: string[] = [];
  const out = template.replace(PLACEHOLDER, (whole, key: string) => {
    const value = lookup(key, ctx);
    if (value === undefined) {
      missing.push(key);
      return whole;
    }
    return value;
  });
  if (missing.length > 0) {
    const first = missing[0] ?? '';
    const list = [...new Set(missing)].map((k) => `{{${k}}}`).join(', ');
    throw new TemplateError(`unresolved placeholder${missing.length > 1 ? 's' : ''} ${list}`, first);
  }
  return out;
}

/**
 * Merges template argument defaults with the values a Rollout step supplies
 * (step values win). An argument without any value is an error naming it.
 */
export function resolveArgs(templateArgs: readonly TemplateArg[] = [], supplied: readonly TemplateArg[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const declared = new Set<string>();
  for (const a of templateArgs) {
    declared.add(a.name);
    if (a.value !== undefined) out[a.name] = a.value;
  }
  for (const a of supplied) if (a.value !== undefined) out[a.name] = a.value;
  const missing = [...declared].filter((n) => !Object.hasOwn(out, n));
  if (missing.length > 0) {
    throw new TemplateError(
      `argument${missing.length > 1 ? 's' : ''} ${missing.map((n) => `"${n}"`).join(', ')} ha${missing.length > 1 ? 've' : 's'} no value`,
      `args.${missing[0]}`,
    );
  }
  return out;
}
