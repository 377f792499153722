import type { OwnershipRule } from '../../api/index.js';
import type { RuleContext, Violation } from '../context.js';

const present = (map: Readonly<Record<string, string>> | null | undefined, key: string): boolean => (map?.[key] ?? '').trim() !== '';

/** Labels and annotations on the Deployment that say who owns it and where its runbook is. */
export function checkOwnership(rule: OwnershipRule, ctx: RuleContext): Violation[] {
  const meta = ctx.object.metadata;
  const out: Violation[] = [];
  for (const key of rule.labels ?? []) {
    if (!present(meta?.labels, key)) {
      out.push({ message: `label ${key} is missing or empty`, fix: `set metadata.labels["${key}"] on the Deployment` });
    }
  }
  for (const key of rule.annotations ?? []) {
    if (!present(meta?.annotations, key)) {
      out.push({ message: `annotation ${key} is missing or empty`, fix: `set metadata.annotations["${key}"] on the Deployment` });
    }
  }
  return out;
}
