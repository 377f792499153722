import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { analysisTemplateSchema } from '../../../src/api/analysis-template.js';
import { contextPolicySchema } from '../../../src/api/context-policy.js';
import { rolloutSchema } from '../../../src/api/rollout.js';
import { useTestNamespace } from '../../support/cluster.js';
import { dryRunApply, installCrds } from './crds.js';

const ns = useTestNamespace('api-parity');

beforeAll(installCrds);

/** Mostly valid values with some invalid ones, so samples land on both sides. */
function mostly<T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: valid, weight: 20 }, { arbitrary: invalid, weight: 1 });
}

const name = mostly(fc.constantFrom('web', 'error-rate', 'a.b'), fc.constantFrom('', 'Bad_Name', '-x'));
const duration = mostly(fc.constantFrom('30s', '1m30s', '250ms', '2h'), fc.constantFrom('5 minutes', '1.5h', '10', ''));
const percent = mostly(fc.integer({ min: 0, max: 100 }), fc.constantFrom(-1, 101, 150));
const intOrPercent = mostly(fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom('25%', '0%', '100%')), fc.constantFrom(-1, 'lots', '%', '25'));

interface TemplateRef {
  name: string;
  clusterScope?: boolean;
}
const templateRef: fc.Arbitrary<TemplateRef> = fc.record({ name, clusterScope: fc.boolean() }, { requiredKeys: ['name'] });
interface Arg {
  name: string;
  value: string;
}
const arg: fc.Arbitrary<Arg> = fc.record({ name: mostly(fc.constantFrom('service', 'job'), fc.constant('bad name')), value: fc.constant('x') });
const analysis = fc.record(
  {
    // Duplicate keys are rejected by both sides; keep them to the rare invalid branch.
    templates: mostly(
      fc.uniqueArray(templateRef, { minLength: 1, maxLength: 2, selector: (t) => `${t.name}/${String(t.clusterScope ?? false)}` }),
      fc.oneof(fc.constant<TemplateRef[]>([]), fc.constant<TemplateRef[]>([{ name: 'web' }, { name: 'web' }])),
    ),
    args: mostly(
      fc.uniqueArray(arg, { maxLength: 2, selector: (a) => a.name }),
      fc.constant<Arg[]>([
        { name: 'job', value: 'a' },
        { name: 'job', value: 'b' },
      ]),
    ),
  },
  { requiredKeys: ['templates'] },
);

const step = mostly(
  fc.oneof(
    fc.record({ setWeight: percent }),
    fc.record({ pause: fc.record({ duration }, { requiredKeys: [] }) }),
    fc.record({ setFlag: fc.record({ percent }) }),
    fc.record({ analysis }),
  ),
  fc.oneof(fc.constant({}), fc.record({ setWeight: percent, pause: fc.constant({}) }), fc.record({ setWieght: percent })),
);

const flag = fc.record(
  {
    key: mostly(fc.constant('new-flow'), fc.constant('')),
    source: mostly(
      fc.oneof(fc.record({ configMap: fc.record({ name }) }), fc.record({ featureFlag: fc.record({ name }) })),
      fc.oneof(fc.constant({}), fc.record({ configMap: fc.record({ name }), featureFlag: fc.record({ name }) })),
    ),
    onPromotion: mostly(fc.constantFrom('On', 'Leave'), fc.constant('Off')),
  },
  { requiredKeys: ['key', 'source'] },
);

const spec = fc.record(
  {
    replicas: mostly(fc.integer({ min: 0, max: 5 }), fc.constant(-1)),
    workloadRef: fc.record(
      { apiVersion: mostly(fc.constant('apps/v1'), fc.constant('apps/v2')), kind: mostly(fc.constant('Deployment'), fc.constant('StatefulSet')), name },
      { requiredKeys: ['kind', 'name'] },
    ),
    strategy: fc.record({
      canary: fc.record({ steps: fc.array(step, { maxLength: 4 }), maxSurge: intOrPercent, maxUnavailable: intOrPercent }, { requiredKeys: [] }),
    }),
    analysis,
    gates: fc.record({ requireFlagFor: fc.subarray(['ai-generated', 'ai-assisted', 'human', 'robot']) }, { requiredKeys: [] }),
    flag,
    progressDeadlineSeconds: mostly(fc.integer({ min: 1, max: 900 }), fc.constant(0)),
  },
  { requiredKeys: ['strategy'] },
);

const rolloutDoc = spec.map((s) => ({
  apiVersion: 'clairvoyance.dev/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'parity' },
  spec: s,
}));

const metric = fc.record(
  {
    name: mostly(fc.constantFrom('error-rate', 'p95'), fc.constantFrom('Error_Rate', '')),
    interval: duration,
    count: mostly(fc.integer({ min: 1, max: 5 }), fc.constant(0)),
    failureLimit: mostly(fc.integer({ min: 0, max: 3 }), fc.constant(-1)),
    successCondition: fc.constant('result < 0.01'),
    provider: mostly(
      fc.oneof(
        fc.record({ prometheus: fc.record({ query: fc.constant('up'), timeout: duration }, { requiredKeys: ['query'] }) }),
        fc.record({
          compare: fc.record(
            {
              query: fc.constant('x{r="{{revision}}"}'),
              window: duration,
              against: mostly(fc.constantFrom('stable', 'baseline'), fc.constant('canary')),
              pValue: mostly(fc.constantFrom(0.05, 0.01), fc.constantFrom(0, 1, 1.5)),
              maxRatio: mostly(fc.constantFrom(1.2, 2), fc.constantFrom(0, -1)),
            },
            { requiredKeys: ['query', 'window'] },
          ),
        }),
        fc.record({ signal: fc.record({ kind: mostly(fc.constantFrom('scraped', 'traces'), fc.constant('metrics')) }) }),
      ),
      fc.oneof(fc.constant({}), fc.constant({ signal: { kind: 'scraped' }, prometheus: { query: 'up' } })),
    ),
  },
  { requiredKeys: ['name', 'provider'] },
);

const templateDoc = fc
  .record({
    metrics: mostly(fc.uniqueArray(metric, { minLength: 1, maxLength: 3, selector: (m) => m.name }), fc.array(metric, { minLength: 2, maxLength: 2 })),
  })
  .map((spec) => ({ apiVersion: 'clairvoyance.dev/v1alpha1', kind: 'AnalysisTemplate', metadata: { name: 'parity' }, spec }));

const ruleKind = mostly(
  fc.oneof(
    fc.record({ ownership: fc.record({ labels: fc.constant(['team']) }) }),
    fc.record({ observability: fc.record({ metrics: fc.boolean(), readinessProbe: fc.boolean() }) }),
    fc.record({ contract: fc.record({ protectConsumers: fc.boolean() }, { requiredKeys: [] }) }),
    fc.record({ cel: fc.record({ expression: fc.constant('true'), message: mostly(fc.constant('m'), fc.constant('')) }) }),
  ),
  fc.oneof(fc.constant({}), fc.constant({ ownership: {}, contract: {} })),
);
const rule = fc
  .tuple(
    fc.record(
      {
        id: mostly(fc.constantFrom('r1', 'r2', 'owner-team'), fc.constantFrom('R1', '', '-r')),
        rationale: mostly(fc.constant('because'), fc.constant('')),
        reference: fc.constant('https://wiki.example.com/adr/1'),
      },
      // Rationale is required: a missing one would reject most samples, so '' covers it.
      { requiredKeys: ['id', 'rationale'] },
    ),
    ruleKind,
  )
  .map(([base, kind]) => ({ ...base, ...kind }));

const policyDoc = fc
  .record(
    {
      match: fc.record({
        // ContextPolicy rejects namespaceSelector: rare, so most samples get further.
        namespaceSelector: mostly(fc.constant(undefined), fc.constant({ matchLabels: { a: 'b' } })),
        origins: mostly(fc.subarray(['ai-generated', 'human']), fc.subarray(['robot'], { minLength: 1 })),
      }),
      enforcement: mostly(fc.constantFrom('Enforce', 'Warn', 'Audit'), fc.constant('Deny')),
      rules: mostly(fc.uniqueArray(rule, { minLength: 1, maxLength: 3, selector: (r) => r.id }), fc.array(rule, { maxLength: 0 })),
    },
    { requiredKeys: ['rules'] },
  )
  .map((spec) => ({ apiVersion: 'clairvoyance.dev/v1alpha1', kind: 'ContextPolicy', metadata: { name: 'parity' }, spec }));

const RUNS = Number(process.env.PARITY_RUNS ?? 30);

async function expectParity(schema: z.ZodType, docs: fc.Arbitrary<unknown>, numRuns: number): Promise<void> {
  const seen = { accepted: 0, rejected: 0 };
  await fc.assert(
    fc.asyncProperty(docs, async (doc) => {
      const json: unknown = JSON.parse(JSON.stringify(doc));
      const zod = schema.safeParse(json);
      const server = await dryRunApply(ns.name, json);
      const serverAccepts = server.code === 0;
      if (serverAccepts) seen.accepted++;
      else seen.rejected++;
      expect(
        zod.success,
        `zod ${zod.success ? 'accepts' : 'rejects'} but the API server ${serverAccepts ? 'accepts' : 'rejects'}:\n` +
          `${JSON.stringify(json)}\nzod: ${JSON.stringify(zod.error?.issues ?? [])}\nserver: ${server.stderr}`,
      ).toBe(serverAccepts);
    }),
    { numRuns },
  );
  // The sample must exercise both sides, or the property says little.
  expect(seen.accepted).toBeGreaterThan(0);
  expect(seen.rejected).toBeGreaterThan(0);
}

describe('zod schema and API server agree (server-side dry-run on a sample)', () => {
  it('on generated Rollouts', () => expectParity(rolloutSchema, rolloutDoc, RUNS));
  it('on generated AnalysisTemplates', () => expectParity(analysisTemplateSchema, templateDoc, RUNS));
  it('on generated ContextPolicies', () => expectParity(contextPolicySchema, policyDoc, RUNS));
});
