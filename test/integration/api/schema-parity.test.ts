import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { rolloutSchema } from '../../../src/api/rollout.js';
import { useTestNamespace } from '../../support/cluster.js';
import { dryRunApply, installCrds } from './crds.js';

const ns = useTestNamespace('api-parity');

beforeAll(installCrds);

/** Mostly valid values with some invalid ones, so samples land on both sides. */
function mostly<T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: invalid, weight: 1 });
}

const name = mostly(fc.constantFrom('web', 'error-rate', 'a.b'), fc.constantFrom('', 'Bad_Name', '-x'));
const duration = mostly(fc.constantFrom('30s', '1m30s', '250ms', '2h'), fc.constantFrom('5 minutes', '1.5h', '10', ''));
const percent = mostly(fc.integer({ min: 0, max: 100 }), fc.constantFrom(-1, 101, 150));
const intOrPercent = mostly(
  fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom('25%', '0%', '100%')),
  fc.constantFrom(-1, 'lots', '%', '25'),
);

interface TemplateRef {
  name: string;
  clusterScope?: boolean;
}
const templateRef: fc.Arbitrary<TemplateRef> = fc.record({ name, clusterScope: fc.boolean() }, { requiredKeys: ['name'] });
const analysis = fc.record(
  {
    templates: mostly(fc.array(templateRef, { minLength: 1, maxLength: 2 }), fc.constant<TemplateRef[]>([])),
    args: fc.array(
      fc.record({ name: mostly(fc.constantFrom('service', 'job'), fc.constant('bad name')), value: fc.constant('x') }),
      { maxLength: 2 },
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
  fc.oneof(
    fc.constant({}),
    fc.record({ setWeight: percent, pause: fc.constant({}) }),
    fc.record({ setWieght: percent }),
  ),
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
      canary: fc.record(
        { steps: fc.array(step, { maxLength: 4 }), maxSurge: intOrPercent, maxUnavailable: intOrPercent },
        { requiredKeys: [] },
      ),
    }),
    analysis,
    gates: fc.record(
      { requireFlagFor: fc.subarray(['ai-generated', 'ai-assisted', 'human', 'robot']) },
      { requiredKeys: [] },
    ),
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

describe('zod schema and API server agree', () => {
  it('accept and reject the same generated Rollouts (server-side dry-run)', async () => {
    const seen = { accepted: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(rolloutDoc, async (doc) => {
        const json: unknown = JSON.parse(JSON.stringify(doc));
        const zod = rolloutSchema.safeParse(json);
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
      { numRuns: Number(process.env.PARITY_RUNS ?? 30) },
    );
    // The sample must exercise both sides, or the property says little.
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.rejected).toBeGreaterThan(0);
  });
});
