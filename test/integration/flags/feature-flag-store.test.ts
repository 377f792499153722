// The OpenFeature Operator FeatureFlag store against the real API server: a
// minimal featureflags.core.openfeature.dev CRD is installed for this file and
// removed afterwards; before that, the missing CRD must be reported clearly.
import { ApiextensionsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rolloutSpecSchema } from '../../../src/api/rollout.js';
import type { RolloutSpec } from '../../../src/api/rollout.js';
import type { GateInput } from '../../../src/rollout/seams.js';
import { isNotFound } from '../../../src/kube/errors.js';
import { ResourceClient } from '../../../src/kube/resource-client.js';
import { CUSTOM_RESOURCE_DEFINITIONS } from '../../../src/kube/resource.js';
import {
  FEATURE_FLAG_CRD,
  FEATURE_FLAG_GROUP,
  FEATURE_FLAG_PLURAL,
  FEATURE_FLAG_VERSION,
  FEATURE_FLAGS,
  FeatureFlagCrdProbe,
  FeatureFlagStore,
  type FeatureFlagObject,
} from '../../../src/flags/feature-flag-store.js';
import { StoreFlagDriver } from '../../../src/flags/flag-driver.js';
import { FlagGateEvaluator } from '../../../src/flags/flag-gate.js';
import { fractionalTargeting } from '../../../src/flags/flagd-format.js';
import { KubeFlagStores } from '../../../src/flags/stores.js';
import { eventually, kubeConfig, useTestNamespace } from '../../support/cluster.js';

const ns = useTestNamespace('flags-ff');
const FLAG = 'new-checkout';

const crd: V1CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: FEATURE_FLAG_CRD },
  spec: {
    group: FEATURE_FLAG_GROUP,
    scope: 'Namespaced',
    names: { kind: 'FeatureFlag', listKind: 'FeatureFlagList', plural: FEATURE_FLAG_PLURAL, singular: 'featureflag' },
    versions: [
      {
        name: FEATURE_FLAG_VERSION,
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: { spec: { type: 'object', x_kubernetes_preserve_unknown_fields: true } },
          },
        },
      },
    ],
  },
};

const OTHER = { state: 'ENABLED', variants: { a: 'A', b: 'B' }, defaultVariant: 'a', metadata: { owner: 'web' } };

let ext: ApiextensionsV1Api;
let custom: CustomObjectsApi;
let featureFlags: ResourceClient<FeatureFlagObject>;

async function deleteCrd(): Promise<void> {
  await ext.deleteCustomResourceDefinition({ name: FEATURE_FLAG_CRD }).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
  });
  await eventually(
    'the FeatureFlag CRD to be gone',
    async () =>
      ext.readCustomResourceDefinition({ name: FEATURE_FLAG_CRD }).then(
        () => undefined,
        (err: unknown) => (isNotFound(err) ? true : undefined),
      ),
    { timeoutMs: 60_000 },
  );
}

async function createFeatureFlag(name: string, flags: Record<string, unknown>): Promise<void> {
  await custom.createNamespacedCustomObject({
    group: FEATURE_FLAG_GROUP,
    version: FEATURE_FLAG_VERSION,
    plural: FEATURE_FLAG_PLURAL,
    namespace: ns.name,
    body: { apiVersion: `${FEATURE_FLAG_GROUP}/${FEATURE_FLAG_VERSION}`, kind: 'FeatureFlag', metadata: { name }, spec: { flagSpec: { flags } } },
  });
}

async function getFeatureFlag(name: string): Promise<{ metadata: { resourceVersion: string }; spec: { flagSpec: { flags: Record<string, unknown> } } }> {
  return custom.getNamespacedCustomObject({
    group: FEATURE_FLAG_GROUP,
    version: FEATURE_FLAG_VERSION,
    plural: FEATURE_FLAG_PLURAL,
    namespace: ns.name,
    name,
  }) as Promise<{ metadata: { resourceVersion: string }; spec: { flagSpec: { flags: Record<string, unknown> } } }>;
}

function spec(name: string): RolloutSpec {
  return rolloutSpecSchema.parse({
    workloadRef: { kind: 'Deployment', name: 'checkout' },
    strategy: { canary: { steps: [{ setFlag: { percent: 20 } }] } },
    flag: { key: FLAG, source: { featureFlag: { name } } },
  });
}

const gateInput = (s: RolloutSpec): GateInput => ({
  rollout: { name: 'checkout', namespace: ns.name, uid: 'u1' },
  spec: s,
  deployment: { spec: { selector: {}, template: { metadata: {}, spec: { containers: [] } } } },
  revision: 'r1',
  namespace: undefined,
});

beforeAll(async () => {
  const kc = kubeConfig();
  ext = kc.makeApiClient(ApiextensionsV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
  featureFlags = ResourceClient.of<FeatureFlagObject>(kc, FEATURE_FLAGS);
  // A previous run that died mid-way may have left the CRD behind.
  await deleteCrd();
});

afterAll(async () => {
  await deleteCrd();
});

describe('FeatureFlag store', () => {
  // One provider for the whole file, probing the CRD on every call, so it sees the CRD come and go.
  const stores = () => new KubeFlagStores(kubeConfig(), { crdProbeTtlMs: 0 });

  it('reports the missing CRD as a finding', async () => {
    const v = await new FlagGateEvaluator(stores()).evaluate(gateInput(spec('checkout-flags')));
    expect(v.passed).toBe(false);
    expect(v.findings).toHaveLength(1);
    expect(v.findings[0]).toMatchObject({ ruleId: 'flag-crd-missing', enforcement: 'Enforce' });
    expect(v.findings[0]?.message).toContain('FeatureFlag CRD not installed');
    await expect(new StoreFlagDriver(stores()).kill({ rollout: gateInput(spec('x')).rollout, spec: spec('x') })).rejects.toMatchObject({
      reason: 'CrdNotInstalled',
    });
  });

  it('drives a FeatureFlag once the CRD is installed', async () => {
    await ext.createCustomResourceDefinition({ body: crd });
    await eventually(
      'the FeatureFlag CRD to be established and served',
      async () => {
        const c = await ext.readCustomResourceDefinition({ name: FEATURE_FLAG_CRD });
        if (!c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True')) return undefined;
        // Discovery can lag the condition; a list proves the endpoint serves.
        await custom.listNamespacedCustomObject({ group: FEATURE_FLAG_GROUP, version: FEATURE_FLAG_VERSION, plural: FEATURE_FLAG_PLURAL, namespace: ns.name });
        return true;
      },
      { timeoutMs: 60_000 },
    );
    const provider = stores();
    const gate = new FlagGateEvaluator(provider);
    const driver = new StoreFlagDriver(provider);
    const target = { rollout: gateInput(spec('checkout-flags')).rollout, spec: spec('checkout-flags') };

    expect((await gate.evaluate(gateInput(spec('checkout-flags')))).findings.map((f) => f.ruleId)).toEqual(['flag-source-missing']);

    await createFeatureFlag('checkout-flags', { [FLAG]: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' }, banner: OTHER });
    const blocked = await gate.evaluate(gateInput(spec('checkout-flags')));
    expect(blocked).toMatchObject({ passed: false, findings: [{ ruleId: 'flag-defaults-on' }] });

    await driver.kill(target);
    expect(await gate.evaluate(gateInput(spec('checkout-flags')))).toEqual({ passed: true, findings: [] });

    await driver.setPercent(target, 20);
    const at20 = await getFeatureFlag('checkout-flags');
    expect(at20.spec.flagSpec.flags[FLAG]).toEqual({
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: fractionalTargeting('on', 'off', 20),
    });
    expect(at20.spec.flagSpec.flags.banner).toEqual(OTHER);
    await driver.setPercent(target, 20);
    expect((await getFeatureFlag('checkout-flags')).metadata.resourceVersion).toBe(at20.metadata.resourceVersion);

    await driver.promote(target);
    const promoted = await getFeatureFlag('checkout-flags');
    expect(promoted.spec.flagSpec.flags[FLAG]).toEqual({ state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' });
    expect(promoted.spec.flagSpec.flags.banner).toEqual(OTHER);
  });

  it('retries when another writer changes the FeatureFlag between read and write', async () => {
    await createFeatureFlag('race-flags', { [FLAG]: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' }, banner: OTHER });
    const kc = kubeConfig();
    const probe = new FeatureFlagCrdProbe(ResourceClient.of<V1CustomResourceDefinition>(kc, CUSTOM_RESOURCE_DEFINITIONS));
    const other = new FeatureFlagStore(featureFlags, probe, { namespace: ns.name, name: 'race-flags' });
    let raced = false;
    const racing = Object.create(featureFlags) as ResourceClient<FeatureFlagObject>;
    racing.patch = async (...args: Parameters<ResourceClient<FeatureFlagObject>['patch']>) => {
      if (!raced) {
        raced = true;
        await other.update('banner', (b) => ({ ...b, defaultVariant: 'b' }));
      }
      return featureFlags.patch(...args);
    };
    const store = new FeatureFlagStore(racing, probe, { namespace: ns.name, name: 'race-flags' });
    let calls = 0;
    await store.update(FLAG, (f) => {
      calls++;
      return { ...f, targeting: fractionalTargeting('on', 'off', 40) };
    });
    expect(calls).toBe(2);
    const flags = (await getFeatureFlag('race-flags')).spec.flagSpec.flags;
    expect(flags.banner).toEqual({ ...OTHER, defaultVariant: 'b' });
    expect((flags[FLAG] as { targeting: unknown }).targeting).toEqual(fractionalTargeting('on', 'off', 40));
  });

  it('reports an invalid flag with its path', async () => {
    await createFeatureFlag('bad-flags', { [FLAG]: { state: 'ENABLED', variants: { on: true }, defaultVariant: 'off' } });
    const v = await new FlagGateEvaluator(stores()).evaluate(gateInput(spec('bad-flags')));
    expect(v.findings).toMatchObject([{ ruleId: 'flag-source-invalid' }]);
    expect(v.findings[0]?.message).toContain(`$.spec.flagSpec.flags["${FLAG}"].defaultVariant`);
  });
});
