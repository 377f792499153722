// How findings read to a person at a terminal: kubectl prints these verbatim.
import type { Finding } from '../api/index.js';

const MAX_WARNING = 512;

/** A denial lists each failed rule with what is wrong, why the rule exists and the fix. */
export function denialMessage(subject: string, findings: readonly Finding[]): string {
  const lines = [`${subject} violates ${findings.length} ${findings.length === 1 ? 'rule' : 'rules'}:`];
  for (const f of findings) {
    lines.push(`- [${f.ruleId}] ${f.message} (${f.policy})`);
    if (f.rationale !== undefined) lines.push(`    why: ${f.rationale}`);
    if (f.fix !== undefined) lines.push(`    fix: ${f.fix}`);
    if (f.reference !== undefined) lines.push(`    see: ${f.reference}`);
  }
  return lines.join('\n');
}

/** One kubectl warning per finding, on one line (the API server drops overlong ones). */
export function warningOf(f: Finding, prefix = ''): string {
  const parts = [`${prefix}[${f.ruleId}] ${f.message} (${f.policy})`];
  if (f.rationale !== undefined) parts.push(`why: ${f.rationale}`);
  if (f.fix !== undefined) parts.push(`fix: ${f.fix}`);
  const text = parts.join('; ').replace(/\s+/g, ' ');
  return text.length > MAX_WARNING ? `${text.slice(0, MAX_WARNING - 3)}...` : text;
}

/** Compact record for the audit log: policy#rule=enforcement. */
export function auditSummary(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.policy}#${f.ruleId}=${f.enforcement}`).join(',');
}
