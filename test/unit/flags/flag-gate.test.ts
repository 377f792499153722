import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { RolloutSpec } from '../../../src/api/rollout.js';
import { FlagGateEvaluator } from '../../../src/flags/flag-gate.js';
import type { FlagState } from '../../../src/flags/flagd-format.js';
import { fractionalTargeting } from '../../../src/flags/flagd-format.js';
import { FlagSourceError } from '../../../src/flags/store.js';
import { MemoryFlagStore, MemoryStores, offFlag, spec, withFlag } from './memory-stores.js';

function deployment(annotations: Record<string, string> = {}): V1Deployment {
  return {
    metadata: { name: 'checkout', namespace: 'shop' },
    spec: { selector: {}, template: { metadata: { annotations }, spec: { containers: [] } } },
  };
}

async function gate(s: RolloutSpec, flags: Record<string, FlagState>, annotations: Record<string, string> = {}, failure?: Error) {
  const store = new MemoryFlagStore(flags);
  store.failure = failure;
  const evaluator = new FlagGateEvaluator(new MemoryStores(store));
  return evaluator.evaluate({
    rollout: { name: 'checkout', namespace: 'shop', uid: 'u1' },
    spec: s,
    deployment: deployment(annotations),
    revision: 'abc123',
    namespace: undefined,
  });
}

const ai = { 'clairvoyance.dev/origin': 'ai-generated' };
const requireAi = spec({ gates: { requireFlagFor: ['ai-generated'] } });

describe('FlagGateEvaluator', () => {
  it.each<[string, RolloutSpec, Record<string, FlagState>, Record<string, string>, string[], boolean]>([
    ['no flag involved', spec(), {}, {}, [], true],
    ['ai change, flag not required', spec(), {}, ai, [], true],
    // requireFlagFor itself is the policy gate's rule (require-flag); this gate only judges a flag that is named.
    ["ai change without a flag is not this gate's call", requireAi, {}, ai, [], true],
    ['human change, only ai requires a flag', requireAi, {}, {}, [], true],
    ['flag off and ready', withFlag(), { 'new-checkout': offFlag() }, {}, [], true],
    ['required and present', withFlag({}), { 'new-checkout': offFlag() }, ai, [], true],
    ['flag missing', withFlag(), {}, {}, ['flag-missing'], false],
    ['flag disabled', withFlag(), { 'new-checkout': { ...offFlag(), state: 'DISABLED' } }, {}, ['flag-disabled'], false],
    ['flag defaults on', withFlag(), { 'new-checkout': { ...offFlag(), defaultVariant: 'on' } }, {}, ['flag-defaults-on'], false],
    ['flag defers to code default', withFlag(), { 'new-checkout': { ...offFlag(), defaultVariant: null } }, {}, ['flag-defaults-on'], false],
    ['no on variant', withFlag(), { 'new-checkout': { state: 'ENABLED', variants: { off: false }, defaultVariant: 'off' } }, {}, ['flag-no-on-variant'], false],
    [
      'no off variant',
      withFlag(),
      { 'new-checkout': { state: 'ENABLED', variants: { on: true, dark: false }, defaultVariant: 'dark' } },
      {},
      ['flag-no-off-variant', 'flag-defaults-on'],
      false,
    ],
    [
      'custom variants',
      withFlag({ offVariant: 'dark', onVariant: 'lit' }),
      { 'new-checkout': { state: 'ENABLED', variants: { lit: 1, dark: 0 }, defaultVariant: 'dark' } },
      {},
      [],
      true,
    ],
    [
      'targeting present warns',
      withFlag(),
      { 'new-checkout': { ...offFlag(), targeting: fractionalTargeting('on', 'off', 5) } },
      {},
      ['flag-targeting-present'],
      true,
    ],
    ['annotation names another flag', withFlag(), { 'new-checkout': offFlag() }, { 'clairvoyance.dev/flag': 'other-flag' }, ['flag-key-mismatch'], false],
    ['annotation agrees', withFlag(), { 'new-checkout': offFlag() }, { 'clairvoyance.dev/flag': 'new-checkout' }, [], true],
  ])('%s', async (_name, s, flags, annotations, ruleIds, passed) => {
    const v = await gate(s, flags, annotations);
    expect(v.findings.map((f) => f.ruleId)).toEqual(ruleIds);
    expect(v.passed).toBe(passed);
    for (const f of v.findings) {
      expect(f.policy).toBe('rollout/checkout');
      expect(f.rationale).toBeTruthy();
      expect(f.fix).toBeTruthy();
      expect(f.enforcement).toBe(f.ruleId === 'flag-targeting-present' ? 'Warn' : 'Enforce');
    }
    if (!passed) expect(v.message).toContain(ruleIds[0]);
  });

  it.each([
    [
      new FlagSourceError('CrdNotInstalled', 'FeatureFlag CRD not installed: featureflags.core.openfeature.dev'),
      'flag-crd-missing',
      /FeatureFlag CRD not installed/,
    ],
    [new FlagSourceError('SourceNotFound', 'ConfigMap shop/flags does not exist'), 'flag-source-missing', /does not exist/],
    [new FlagSourceError('InvalidSource', 'not valid flagd JSON', ['$.flags.x.state: bad']), 'flag-source-invalid', /\$\.flags\.x\.state/],
  ])('turns source problems into findings (%s)', async (err, ruleId, message) => {
    const v = await gate(withFlag(), {}, {}, err);
    expect(v.passed).toBe(false);
    expect(v.findings).toHaveLength(1);
    expect(v.findings[0]).toMatchObject({ ruleId, enforcement: 'Enforce' });
    expect(v.findings[0]?.message).toMatch(message);
  });

  it('throws transient errors instead of passing', async () => {
    await expect(gate(withFlag(), {}, {}, Object.assign(new Error('etcdserver: request timed out'), { code: 500 }))).rejects.toThrow(/timed out/);
  });

  it('says which variant it expected', async () => {
    const v = await gate(withFlag(), { 'new-checkout': { ...offFlag(), defaultVariant: 'on' } });
    expect(v.findings[0]?.message).toMatch(/defaults to "on", not to its off variant "off"/);
    expect(v.findings[0]?.fix).toMatch(/defaultVariant: "off"/);
  });
});
