import { describe, expect, it } from 'vitest';
import { MAX_AUDIT_RESULTS } from '../../../src/api/index.js';
import { StaticPolicySource } from '../../../src/gates/index.js';
import { auditPolicies } from '../../../src/webhook/audit.js';
import { AI_POLICY_RULES, clusterPolicy, contextPolicy, deployment } from '../gates/fixtures.js';

describe('audit scan', () => {
  it('bounds results per policy and counts every violation per rule', () => {
    const workloads = Array.from({ length: 30 }, (_, i) => deployment({ name: `w${String(i).padStart(2, '0')}`, labels: {} }));
    const audits = auditPolicies(
      new StaticPolicySource({
        workloads,
        clusterContextPolicies: [clusterPolicy('all', { rules: AI_POLICY_RULES })],
        contextPolicies: [contextPolicy('other-ns', 'elsewhere', { rules: AI_POLICY_RULES })],
      }),
    );
    const all = audits.find((a) => a.policy.metadata.name === 'all');
    expect(all?.violations).toBe(60); // owner and behind-flag on each of 30
    expect(all?.results).toHaveLength(MAX_AUDIT_RESULTS);
    expect(all?.results[0]).toMatchObject({ namespace: 'shop', name: 'w00', ruleId: 'behind-flag' });
    expect(Object.fromEntries(all?.byRule ?? [])).toEqual({ owner: 30, 'behind-flag': 30 });
    // A ContextPolicy in a namespace without workloads is not scanned at all.
    expect(audits).toHaveLength(1);
  });
});
