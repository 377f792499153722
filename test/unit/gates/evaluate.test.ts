import { describe, expect, it } from 'vitest';
import type { Rollout } from '../../../src/api/index.js';
import {
  PolicyGateEvaluator,
  StaticPolicySource,
  evaluatePolicies,
  governingRollouts,
  selectorMatches,
  type PolicyEvaluationInput,
} from '../../../src/gates/index.js';
import { AI_POLICY_RULES, clusterPolicy, contextPolicy, deployment, namespace } from './fixtures.js';

const shop = namespace('shop', { env: 'prod' });
const aiChange = deployment({
  labels: { app: 'checkout' },
  annotations: {},
  templateAnnotations: { 'clairvoyance.dev/origin': 'ai-generated' },
  mutate: (d) => (d.spec!.template.spec!.containers[0]!.ports = []),
});

function input(over: Partial<PolicyEvaluationInput>): PolicyEvaluationInput {
  return { object: aiChange, namespace: shop, rollouts: [], workloads: [], contextPolicies: [], clusterContextPolicies: [], ...over };
}

function rollout(name: string, spec: Partial<Rollout['spec']> = {}): Rollout {
  return {
    apiVersion: 'clairvoyance.dev/v1alpha1',
    kind: 'Rollout',
    metadata: { name, namespace: 'shop' },
    spec: {
      replicas: 1,
      workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout', scaleDown: 'onsuccess' },
      strategy: { canary: { steps: [] } },
      ...spec,
    } as Rollout['spec'],
  };
}

describe('label selectors', () => {
  it.each([
    [undefined, {}, true],
    [{}, { a: '1' }, true],
    [{ matchLabels: { a: '1' } }, { a: '1' }, true],
    [{ matchLabels: { a: '1' } }, { a: '2' }, false],
    [{ matchExpressions: [{ key: 'a', operator: 'In' as const, values: ['1', '2'] }] }, { a: '2' }, true],
    [{ matchExpressions: [{ key: 'a', operator: 'In' as const, values: ['1'] }] }, {}, false],
    [{ matchExpressions: [{ key: 'a', operator: 'NotIn' as const, values: ['1'] }] }, {}, true],
    [{ matchExpressions: [{ key: 'a', operator: 'NotIn' as const, values: ['1'] }] }, { a: '1' }, false],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists' as const }] }, { a: '' }, true],
    [{ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' as const }] }, { a: '' }, false],
  ])('%j on %j -> %s', (selector, labels, want) => {
    expect(selectorMatches(selector, labels)).toBe(want);
  });
});

describe('policy matching', () => {
  const policy = (match: object) => clusterPolicy('ai', { match, rules: AI_POLICY_RULES });

  it('applies the issue policy to an ai-generated change and lists every rule', () => {
    const findings = evaluatePolicies(input({ clusterContextPolicies: [policy({ origins: ['ai-generated'] })] }));
    expect(findings.map((f) => f.ruleId)).toEqual(['owner', 'behind-flag', 'metrics-wired']);
    expect(findings.every((f) => f.policy === 'ClusterContextPolicy/ai' && f.enforcement === 'Enforce')).toBe(true);
  });

  it.each([
    [
      'human change under an ai-only policy',
      { origins: ['ai-generated'] },
      deployment({ labels: {}, templateAnnotations: { 'clairvoyance.dev/origin': 'human' } }),
      0,
    ],
    ['unannotated change counts as the default origin (human)', { origins: ['ai-generated'] }, deployment({ labels: {} }), 0],
    ['namespace selector misses', { namespaceSelector: { matchLabels: { env: 'dev' } } }, aiChange, 0],
    ['namespace selector hits', { namespaceSelector: { matchLabels: { env: 'prod' } } }, aiChange, 3],
    ['namespace name label', { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }, aiChange, 3],
    ['workload selector misses', { workloadSelector: { matchLabels: { tier: 'edge' } } }, aiChange, 0],
    ['workload selector hits', { workloadSelector: { matchLabels: { app: 'checkout' } } }, aiChange, 3],
  ])('%s', (_name, match, d, count) => {
    expect(evaluatePolicies(input({ object: d, clusterContextPolicies: [policy(match)] }))).toHaveLength(count);
  });

  it('uses the policy defaultOrigin for unannotated changes', () => {
    const p = clusterPolicy('ai', { match: { origins: ['ai-generated'] }, defaultOrigin: 'ai-generated', rules: AI_POLICY_RULES });
    expect(evaluatePolicies(input({ object: deployment({ labels: {} }), clusterContextPolicies: [p] }))).not.toHaveLength(0);
  });

  it('scopes a ContextPolicy to its own namespace', () => {
    const elsewhere = contextPolicy('p', 'other', { rules: AI_POLICY_RULES });
    const here = contextPolicy('p', 'shop', { rules: AI_POLICY_RULES });
    expect(evaluatePolicies(input({ contextPolicies: [elsewhere] }))).toHaveLength(0);
    expect(evaluatePolicies(input({ contextPolicies: [here] }))[0]?.policy).toBe('ContextPolicy/shop/p');
  });

  it('composes several policies with their own enforcement', () => {
    const warn = clusterPolicy('warn', { enforcement: 'Warn', rules: [AI_POLICY_RULES[0]!] });
    const audit = contextPolicy('audit', 'shop', { enforcement: 'Audit', rules: [AI_POLICY_RULES[2]!] });
    const findings = evaluatePolicies(input({ clusterContextPolicies: [warn], contextPolicies: [audit] }));
    expect(findings.map((f) => [f.policy, f.enforcement])).toEqual([
      ['ContextPolicy/shop/audit', 'Audit'],
      ['ClusterContextPolicy/warn', 'Warn'],
    ]);
  });

  it('applies policies a Rollout names even when selectors miss, once', () => {
    const p = clusterPolicy('named', { match: { namespaceSelector: { matchLabels: { env: 'dev' } } }, rules: [AI_POLICY_RULES[0]!] });
    const r = rollout('checkout', {
      gates: {
        policies: [
          { kind: 'ClusterContextPolicy', name: 'named' },
          { kind: 'ClusterContextPolicy', name: 'named' },
        ],
      },
    });
    const findings = evaluatePolicies(input({ clusterContextPolicies: [p], rollouts: governingRollouts(aiChange, [r]) }));
    expect(findings.map((f) => f.ruleId)).toEqual(['owner']);
  });

  it('requireFlagFor blocks a listed origin without a flag', () => {
    const r = rollout('checkout', { gates: { requireFlagFor: ['ai-generated'] } });
    const rollouts = governingRollouts(aiChange, [
      r,
      rollout('unrelated', { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'other', scaleDown: 'onsuccess' } }),
    ]);
    expect(rollouts.map((x) => x.name)).toEqual(['checkout']);
    const [f] = evaluatePolicies(input({ rollouts }));
    expect(f).toMatchObject({ ruleId: 'require-flag', policy: 'Rollout/shop/checkout', enforcement: 'Enforce' });
    const flagged = deployment({ templateAnnotations: { 'clairvoyance.dev/origin': 'ai-generated', 'clairvoyance.dev/flag': 'new-checkout' } });
    expect(evaluatePolicies(input({ object: flagged, rollouts }))).toEqual([]);
    const human = deployment({ templateAnnotations: { 'clairvoyance.dev/origin': 'human' } });
    expect(evaluatePolicies(input({ object: human, rollouts }))).toEqual([]);
  });
});

describe('PolicyGateEvaluator', () => {
  it('passes with Warn findings and blocks on Enforce findings', async () => {
    const warn = clusterPolicy('warn', { enforcement: 'Warn', rules: AI_POLICY_RULES });
    const gateInput = {
      rollout: { name: 'checkout', namespace: 'shop', uid: 'u' },
      spec: rollout('checkout').spec,
      deployment: aiChange,
      revision: 'abc',
      namespace: shop,
    };
    const passing = await new PolicyGateEvaluator(new StaticPolicySource({ clusterContextPolicies: [warn] })).evaluate(gateInput);
    expect(passing.passed).toBe(true);
    expect(passing.findings).toHaveLength(3);
    const enforce = clusterPolicy('enforce', { rules: AI_POLICY_RULES });
    const blocked = await new PolicyGateEvaluator(new StaticPolicySource({ clusterContextPolicies: [enforce] })).evaluate(gateInput);
    expect(blocked.passed).toBe(false);
    expect(blocked.message).toContain('ClusterContextPolicy/enforce#owner');
  });

  it('uses the Rollout under reconcile for requireFlagFor even when the cache lags', async () => {
    const spec = rollout('checkout', { gates: { requireFlagFor: ['ai-generated'] } }).spec;
    const verdict = await new PolicyGateEvaluator(new StaticPolicySource()).evaluate({
      rollout: { name: 'checkout', namespace: 'shop', uid: 'u' },
      spec,
      deployment: aiChange,
      revision: 'abc',
      namespace: shop,
    });
    expect(verdict.passed).toBe(false);
    expect(verdict.findings[0]?.ruleId).toBe('require-flag');
  });
});
