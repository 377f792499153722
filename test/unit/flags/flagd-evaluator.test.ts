import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveFlag } from '../../../src/flags/flagd-evaluator.js';
import type { FlagdDocument, FlagState } from '../../../src/flags/flagd-format.js';
import { fractionalTargeting } from '../../../src/flags/flagd-format.js';
import { evaluateLogic, JsonLogicError, truthy } from '../../../src/flags/json-logic.js';

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
    expect(resolveFlag(testbed, 'fractional-flag', { user: { name } })).toMatchObject({ reason: 'TARGETING_MATCH', value });
  });

  it.each([
    ['seven', 'hearts'],
    ['eight', 'diamonds'],
    ['nine', 'clubs'],
    ['two', 'spades'],
  ])('shared seed buckets user %s into %s', (name, value) => {
    expect(resolveFlag(testbed, 'fractional-flag-A-shared-seed', { user: { name } })).toMatchObject({ value });
  });

  it.each([
    ['jon@company.com', 'heads'],
    ['jane@company.com', 'tails'],
  ])('shorthand buckets flag key + targeting key %s into %s', (targetingKey, value) => {
    expect(resolveFlag(testbed, 'fractional-flag-shorthand', { targetingKey })).toMatchObject({ value });
  });

  it('covers the hash extremes: 0 and 2^31-1 fall low, 2^31 and 2^32-1 high', () => {
    const rule = (key: string) => evaluateLogic({ fractional: [key, ['lower', 50], ['upper', 50]] }, { data: {} });
    expect(['ejOoVL', 'bY9fO-', 'SI7p-', '6LvT0', 'ceQdGm'].map(rule)).toEqual(['lower', 'lower', 'lower', 'upper', 'upper']);
  });

  it('falls back to the default variant without a targeting key', () => {
    expect(resolveFlag(testbed, 'fractional-flag-shorthand', {})).toMatchObject({ reason: 'DEFAULT', variant: 'draw' });
  });
});

const rollout = (percent: number): FlagdDocument => ({
  flags: { checkout: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: fractionalTargeting('on', 'off', percent) } },
});

describe('fractional rollouts built by the driver', () => {
  it('serves about the configured share', () => {
    for (const percent of [0, 10, 50, 90, 100]) {
      const doc = rollout(percent);
      let on = 0;
      const n = 20_000;
      for (let i = 0; i < n; i++) if (resolveFlag(doc, 'checkout', { targetingKey: `user-${i}` }).variant === 'on') on++;
      expect(Math.abs((100 * on) / n - percent)).toBeLessThan(1.5);
    }
  });

  it('never takes the on variant from a user when the share grows', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (user, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const onAtLo = resolveFlag(rollout(lo), 'checkout', { targetingKey: user }).variant === 'on';
        const onAtHi = resolveFlag(rollout(hi), 'checkout', { targetingKey: user }).variant === 'on';
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
    ['disabled', flag({ state: 'DISABLED' }), {}, { reason: 'DISABLED' }],
    ['code default', flag({ defaultVariant: null }), {}, { reason: 'DEFAULT' }],
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
    ['unknown operator', flag({ targeting: { sem_ver: [{ var: 'v' }, '>', '1.0.0'] } }), {}, { reason: 'ERROR', errorCode: 'PARSE_ERROR' }],
  ])('%s', (_name, doc, context, expected) => {
    expect(resolveFlag(doc, 'f', context)).toMatchObject(expected);
  });

  it('reports a missing flag', () => {
    expect(resolveFlag({ flags: {} }, 'nope')).toMatchObject({ reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
  });
});

describe('json-logic', () => {
  it.each<[unknown, unknown]>([
    [{ and: [true, 1, 'x'] }, 'x'],
    [{ or: [0, '', 'y'] }, 'y'],
    [{ '!': [[]] }, true],
    [{ '<': [1, 2, 3] }, true],
    [{ '<=': [1, 1, 0] }, false],
    [{ in: ['b', ['a', 'b']] }, true],
    [{ in: ['ell', 'hello'] }, true],
    [{ var: ['missing', 'dflt'] }, 'dflt'],
    [{ '!==': [1, '1'] }, true],
    [{ '==': [1, '1'] }, true],
    [{ if: [false, 'a', false, 'b', 'c'] }, 'c'],
  ])('%j -> %j', (rule, expected) => {
    expect(evaluateLogic(rule as never, { data: {} })).toEqual(expected);
  });

  it('treats empty arrays as false', () => {
    expect(truthy([])).toBe(false);
    expect(truthy('0')).toBe(true);
  });

  it('rejects negative weights and recursive $ref', () => {
    expect(() => evaluateLogic({ fractional: ['k', ['a', -1]] }, { data: {} })).toThrow(JsonLogicError);
    expect(() => evaluateLogic({ $ref: 'loop' }, { data: {}, evaluators: { loop: { $ref: 'loop' } } })).toThrow(/deeply/);
  });
});
