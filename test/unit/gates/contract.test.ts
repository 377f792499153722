import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluatePolicies } from '../../../src/gates/index.js';
import { clusterPolicy, deployment } from './fixtures.js';

const policy = clusterPolicy('contracts', {
  rules: [{ id: 'protect-consumers', rationale: 'INC-812: v1 removed while billing still called it.', contract: {} }],
});

const provider = (provides: string, name = 'orders') => deployment({ name, templateAnnotations: { 'clairvoyance.dev/provides': provides } });
const consumer = (consumes: string, name = 'billing', namespace = 'finance') =>
  deployment({ name, namespace, templateAnnotations: { 'clairvoyance.dev/consumes': consumes } });

function check(object: ReturnType<typeof deployment>, workloads: ReturnType<typeof deployment>[], oldObject?: ReturnType<typeof deployment>) {
  return evaluatePolicies({ object, oldObject, namespace: undefined, rollouts: [], workloads, contextPolicies: [], clusterContextPolicies: [policy] });
}

describe('downstream contracts', () => {
  it('denies dropping orders-api@v1 while it is consumed, naming the consumer', () => {
    const old = provider('orders-api@v1,orders-api@v2');
    const findings = check(provider('orders-api@v2'), [old, consumer('orders-api@v1')], old);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toBe('drops orders-api@v1, still consumed by finance/billing');
  });

  it('also catches the drop without the old revision (controller view)', () => {
    const stored = provider('orders-api@v2');
    expect(check(stored, [stored, consumer('orders-api@v1')])[0]?.message).toContain('finance/billing');
  });

  it('names every consumer', () => {
    const old = provider('orders-api@v1');
    const findings = check(provider(''), [consumer('orders-api@v1'), consumer('orders-api@v1,x@v1', 'reports', 'bi')], old);
    expect(findings[0]?.message).toBe('drops orders-api@v1, still consumed by bi/reports, finance/billing');
  });

  it.each([
    ['keeps v1', provider('orders-api@v1,orders-api@v2'), [consumer('orders-api@v1')]],
    ['nobody consumes v1', provider('orders-api@v2'), [consumer('orders-api@v2')]],
    ['another workload still provides v1', provider('orders-api@v2'), [consumer('orders-api@v1'), provider('orders-api@v1', 'orders-legacy')]],
    [
      'the consumer is the change itself',
      deployment({ templateAnnotations: { 'clairvoyance.dev/provides': 'orders-api@v2', 'clairvoyance.dev/consumes': 'orders-api@v1' } }),
      [],
    ],
  ])('passes when %s', (_name, object, workloads) => {
    expect(check(object, workloads, provider('orders-api@v1,orders-api@v2'))).toEqual([]);
  });

  it('reports malformed provides entries', () => {
    expect(check(provider('orders-api@1'), [])[0]?.message).toMatch(/malformed entries: orders-api@1/);
  });

  it('property: a finding exists exactly when a consumed major is dropped and provided nowhere else', () => {
    const major = fc.integer({ min: 1, max: 4 });
    fc.assert(
      fc.property(fc.uniqueArray(major), fc.uniqueArray(major), fc.uniqueArray(major), (before, after, consumed) => {
        const list = (ms: number[]) => ms.map((m) => `orders-api@v${m}`).join(',');
        const old = provider(list(before));
        const consumers = consumed.map((m, i) => consumer(`orders-api@v${m}`, `c${i}`));
        const findings = check(provider(list(after)), consumers, old);
        const droppedConsumed = consumed.filter((m) => !after.includes(m) && (before.includes(m) || after.length > 0));
        // One finding per rule; it names each dropped major.
        expect(findings.length).toBe(droppedConsumed.length > 0 ? 1 : 0);
        for (const m of droppedConsumed) expect(findings[0]?.message).toContain(`drops orders-api@v${m},`);
      }),
    );
  });
});
