// Every status reason the core can write is documented (docs/api.md), so users can look
// up what a phase means.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (p: string): string => readFileSync(new URL(`../../../${p}`, import.meta.url), 'utf8');

function reasonsWritten(): Set<string> {
  const planner = read('src/rollout/plan-rollout.ts');
  const patterns = [/setPhase\(\s*'\w+',\s*'(\w+)'/g, /failCanary\(\s*d,\s*\w+,\s*'(\w+)'/g, /rollback\(\s*d,\s*\w+,\s*'(\w+)'/g];
  const found = new Set<string>();
  for (const p of patterns) for (const m of planner.matchAll(p)) found.add(m[1]!);
  // The traffic router's blocked states name their reason in a type union.
  for (const m of read('src/rollout/traffic.ts').matchAll(/reason: ('\w+'(?: \| '\w+')+)/g)) for (const r of m[1]!.matchAll(/'(\w+)'/g)) found.add(r[1]!);
  return found;
}

describe('status reasons', () => {
  it('are all listed in docs/api.md', () => {
    const reasons = reasonsWritten();
    expect(reasons.size).toBeGreaterThan(15);
    const docs = read('docs/api.md');
    const row = docs.split('\n').find((l) => l.startsWith('| `reason` |')) ?? '';
    const missing = [...reasons].filter((r) => !row.includes(`\`${r}\``));
    expect(missing).toEqual([]);
  });
});
