import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMergePatch, createMergePatch, deepEqual } from '../../../src/kube/json-diff.js';

// JSON values without nulls: merge patches cannot express a null member.
const jsonNoNull: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.boolean(),
    fc.integer(),
    fc.string({ maxLength: 5 }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'phase', 'step'), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const objectNoNull = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'phase', 'step'), jsonNoNull, { maxKeys: 5 });

function shuffleKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shuffleKeys);
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v).reverse();
    return Object.fromEntries(entries.map(([k, x]) => [k, shuffleKeys(x)]));
  }
  return v;
}

describe('deepEqual', () => {
  it('ignores key order but not array order', () => {
    expect(deepEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(deepEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: '1' })).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
  });

  it('property: a value equals itself with keys reordered', () => {
    fc.assert(
      fc.property(jsonNoNull, (v) => {
        expect(deepEqual(v, shuffleKeys(v))).toBe(true);
      }),
    );
  });
});

describe('createMergePatch', () => {
  it('sets changed members, nulls removed ones and replaces arrays whole', () => {
    expect(
      createMergePatch(
        { phase: 'Progressing', step: 1, conditions: [{ type: 'A' }], old: 'x', nested: { keep: 1, drop: 2 } },
        { phase: 'Healthy', step: 1, conditions: [{ type: 'A' }, { type: 'B' }], nested: { keep: 1 } },
      ),
    ).toEqual({ phase: 'Healthy', conditions: [{ type: 'A' }, { type: 'B' }], old: null, nested: { drop: null } });
  });

  it('is undefined when only key order differs', () => {
    expect(createMergePatch({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toBeUndefined();
  });

  it('property: applying the patch yields the desired object; no patch iff equal', () => {
    fc.assert(
      fc.property(objectNoNull, objectNoNull, (from, to) => {
        const patch = createMergePatch(from, to);
        if (deepEqual(from, to)) expect(patch).toBeUndefined();
        else expect(deepEqual(applyMergePatch(from, patch), to)).toBe(true);
      }),
    );
  });
});
