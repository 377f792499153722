import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EvaluationContext } from '@openfeature/core';
import { flagdCore, resolveFlag } from '../../../dev/stand-in/flag-eval.js';
import type { Resolution } from '../../../dev/stand-in/flag-eval.js';
import type { FlagdDocument, FlagState } from '../../../src/flags/flagd-format.js';
import { fractionalTargeting } from '../../../src/flags/flagd-format.js';

// The stand-in's resolution of the documents the controller writes, as flagd evaluates them.
const resolve = (doc: FlagdDocument, key: string, context: EvaluationContext = {}): Resolution => resolveFlag(flagdCore(JSON.stringify(doc)), key, context);

const suits = { clubs: 'clubs', diamonds: 'diamonds', hearts: 'hearts', spades: 'spades', wild: 'wild' };
const quarters = [
  ['clubs', 25],
  ['diamonds', 25],
  ['hearts', 25],
  ['spades', 25],
];

// The flags of flagd-testbed's custom-ops.json that exercise `fractional`.
const testbed: FlagdDocument = {
  flags: {
    'fractional-flag': {
      state: 'ENABLED',
      variants: suits,
      defaultVariant: 'wild',
      targeting: { fractional: [{ cat: [{ var: '$flagd.flagKey' }, { var: 'user.name' }] }, ...quarters] },
    },
    'fractional-flag-A-shared-seed': {
      state: 'ENABLED',
      variants: suits,
      defaultVariant: 'wild',
      targeting: { fractional: [{ cat: ['shared-seed', { var: 'user.name' }] }, ...quarters] },
    },
    'fractional-flag-shorthand': {
      state: 'ENABLED',
      variants: { heads: 'heads', tails: 'tails', draw: 'draw' },
      defaultVariant: 'draw',
      targeting: { fractional: [['heads'], ['tails', 1]] },
    },
  },
};

describe('fractional (flagd-testbed vectors, integer bucketing)', () => {
  it.each([
    ['jack', 'hearts'],
    ['queen', 'spades'],
    ['ten', 'clubs'],
    ['nine', 'diamonds'],
    [3, 'clubs'],
  ])('fractional-flag buckets user %s into %s', (name, value) => {
    expect(resolve(testbed, 'fractional-flag', { user: { name } })).toMatchObject({ reason: 'TARGETING_MATCH', value });
  });

  it.each([
    ['seven', 'hearts'],
    ['eight', 'diamonds'],
    ['nine', 'clubs'],
    ['two', 'spades'],
  ])('shared seed buckets user %s into %s', (name, value) => {
    expect(resolve(testbed, 'fractional-flag-A-shared-seed', { user: { name } })).toMatchObject({ value });
  });

  it.each([
    ['jon@company.com', 'heads'],
    ['jane@company.com', 'tails'],
  ])('shorthand buckets flag key + targeting key %s into %s', (targetingKey, value) => {
    expect(resolve(testbed, 'fractional-flag-shorthand', { targetingKey })).toMatchObject({ value });
  });

  // Keys whose murmur3 hash is 0, 1, 2^31-1, 2^31 and 2^32-1.
  it('covers the hash extremes: 0 and 2^31-1 fall low, 2^31 and 2^32-1 high', () => {
    const bucket = (key: string) => {
      const targeting = { fractional: [key, ['lower', 50], ['upper', 50]] };
      return resolve({ flags: { f: { state: 'ENABLED', variants: { lower: 'lower', upper: 'upper' }, defaultVariant: null, targeting } } }, 'f').variant;
    };
    expect(['ejOoVL', 'bY9fO-', 'SI7p-', '6LvT0', 'ceQdGm'].map(bucket)).toEqual(['lower', 'lower', 'lower', 'upper', 'upper']);
  });

  it('falls back to the default variant without a targeting key', () => {
    expect(resolve(testbed, 'fractional-flag-shorthand', {})).toMatchObject({ reason: 'DEFAULT', variant: 'draw' });
  });
});

const rollout = (percent: number): FlagdDocument => ({
  flags: { checkout: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: fractionalTargeting('on', 'off', percent) } },
});

describe('fractional rollouts built by the driver', () => {
  it('serves about the configured share', () => {
    for (const percent of [0, 10, 50, 90, 100]) {
      const core = flagdCore(JSON.stringify(rollout(percent)));
      let on = 0;
      const n = 20_000;
      for (let i = 0; i < n; i++) if (resolveFlag(core, 'checkout', { targetingKey: `user-${i}` }).variant === 'on') on++;
      expect(Math.abs((100 * on) / n - percent)).toBeLessThan(1.5);
    }
  });

  it('never takes the on variant from a user when the share grows', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (user, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const onAtLo = resolve(rollout(lo), 'checkout', { targetingKey: user }).variant === 'on';
        const onAtHi = resolve(rollout(hi), 'checkout', { targetingKey: user }).variant === 'on';
        return !onAtLo || onAtHi;
      }),
    );
  });
});

describe('resolveFlag', () => {
  const flag = (f: Partial<FlagState>): FlagdDocument => ({
    flags: { f: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', ...f } },
    $evaluators: { staff: { ends_with: [{ var: 'email' }, '@example.com'] } },
  });

  it.each<[string, FlagdDocument, Record<string, string>, object]>([
    ['static default', flag({}), {}, { reason: 'STATIC', variant: 'off', value: false }],
    ['disabled -> code default', flag({ state: 'DISABLED' }), {}, { reason: 'DISABLED', variant: undefined, value: false }],
    ['code default', flag({ defaultVariant: null }), {}, { reason: 'DEFAULT', variant: undefined, value: false }],
    ['empty targeting', flag({ targeting: {} }), {}, { reason: 'STATIC', variant: 'off' }],
    ['if match', flag({ targeting: { if: [{ $ref: 'staff' }, 'on', null] } }), { email: 'a@example.com' }, { reason: 'TARGETING_MATCH', variant: 'on' }],
    ['if miss -> default', flag({ targeting: { if: [{ $ref: 'staff' }, 'on', null] } }), { email: 'a@other.org' }, { reason: 'DEFAULT', variant: 'off' }],
    [
      'boolean result',
      flag({ variants: { true: 1, false: 0 }, defaultVariant: 'false', targeting: { '==': [{ var: 'tier' }, 'gold'] } }),
      { tier: 'gold' },
      { variant: 'true', value: 1 },
    ],
    ['unknown variant', flag({ targeting: { cat: ['o', 'n', 'x'] } }), {}, { reason: 'ERROR', errorCode: 'GENERAL' }],
    ['sem_ver', flag({ targeting: { if: [{ sem_ver: [{ var: 'v' }, '>=', '1.2.0'] }, 'on', 'off'] } }), { v: '1.10.0' }, { variant: 'on' }],
    ['unknown operator', flag({ targeting: { regex_match: [{ var: 'v' }, '^1'] } }), {}, { reason: 'ERROR', errorCode: 'PARSE_ERROR' }],
    [
      'string flag',
      flag({ variants: { a: 'A', b: 'B' }, defaultVariant: 'a', targeting: { if: [{ $ref: 'staff' }, 'b', null] } }),
      { email: 'x@example.com' },
      { reason: 'TARGETING_MATCH', variant: 'b', value: 'B' },
    ],
  ])('%s', (_name, doc, context, expected) => {
    expect(resolve(doc, 'f', context)).toMatchObject(expected);
  });

  it('reports a missing flag', () => {
    expect(resolve({ flags: {} }, 'nope')).toMatchObject({ reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
  });
});
