import { describe, expect, it } from 'vitest';
import { fractionalTargeting, hasTargeting, jsonPath, parseFlagdDocument, validateFlag } from '../../../src/flags/flagd-format.js';

const valid = {
  $schema: 'https://flagd.dev/schema/v0/flags.json',
  flags: {
    'new-checkout': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' },
    banner: { state: 'DISABLED', variants: { a: 'A', b: { nested: [1, 2] } }, defaultVariant: 'a', targeting: {}, metadata: { team: 'web' } },
  },
  $evaluators: { internal: { in: ['@example.com', { var: 'email' }] } },
};

describe('parseFlagdDocument', () => {
  it('accepts a valid document and keeps unknown members', () => {
    const r = parseFlagdDocument(JSON.stringify({ ...valid, extra: 1 }));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(Object.keys(r.value.flags)).toEqual(['new-checkout', 'banner']);
      expect((r.value as Record<string, unknown>).extra).toBe(1);
    }
  });

  it('reports invalid JSON at the root', () => {
    const r = parseFlagdDocument('{"flags": ');
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.errors[0]).toMatch(/^\$: not valid JSON/);
  });

  it.each([
    [{ flags: { 'new-checkout': { state: 'ON', variants: { on: true }, defaultVariant: 'on' } } }, '$.flags["new-checkout"].state'],
    [{ flags: { x: { state: 'ENABLED', variants: { on: true }, defaultVariant: 'off' } } }, '$.flags.x.defaultVariant'],
    [{ flags: { x: { state: 'ENABLED', variants: {}, defaultVariant: null } } }, '$.flags.x.variants'],
    [{ flags: { x: { state: 'ENABLED', variants: { on: true } } } }, '$.flags.x.defaultVariant'],
    [{ flags: { x: { state: 'ENABLED', variants: { on: true }, defaultVariant: 'on', targeting: [1] } } }, '$.flags.x.targeting'],
    [{ flag: {} }, '$.flags'],
    [{ flags: {}, $evaluators: { e: 'x' } }, '$.$evaluators.e'],
  ])('names the JSON path of an error (%#)', (doc, path) => {
    const r = parseFlagdDocument(JSON.stringify(doc));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.some((e) => e.startsWith(`${path}:`))).toBe(true);
  });

  it('allows a null defaultVariant (code default)', () => {
    expect(parseFlagdDocument(JSON.stringify({ flags: { x: { state: 'ENABLED', variants: { a: 1 }, defaultVariant: null } } })).ok).toBe(true);
  });
});

describe('validateFlag', () => {
  it('prefixes error paths', () => {
    const r = validateFlag({ state: 'ENABLED', variants: { on: 1 }, defaultVariant: 'nope' }, ['spec', 'flagSpec', 'flags', 'my-flag']);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatch(/^\$\.spec\.flagSpec\.flags\["my-flag"\]\.defaultVariant: "nope" is not one of the variants/);
  });
});

describe('jsonPath', () => {
  it('renders identifiers, odd keys and indices', () => {
    expect(jsonPath(['flags', 'a-b', 'targeting', 'fractional', 1])).toBe('$.flags["a-b"].targeting.fractional[1]');
  });
});

describe('fractionalTargeting', () => {
  it("builds flagd's documented form", () => {
    expect(fractionalTargeting('on', 'off', 10)).toEqual({
      fractional: [{ cat: [{ var: '$flagd.flagKey' }, { var: 'targetingKey' }] }, ['on', 10], ['off', 90]],
    });
  });

  it.each([-1, 101, 2.5, Number.NaN])('rejects percent %d', (p) => {
    expect(() => fractionalTargeting('on', 'off', p)).toThrow(RangeError);
  });

  it('treats empty targeting as none', () => {
    expect(hasTargeting({ state: 'ENABLED', variants: { a: 1 }, defaultVariant: 'a', targeting: {} })).toBe(false);
    expect(hasTargeting({ state: 'ENABLED', variants: { a: 1 }, defaultVariant: 'a', targeting: fractionalTargeting('a', 'a', 5) })).toBe(true);
  });
});
