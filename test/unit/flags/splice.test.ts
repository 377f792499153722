import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { spliceFlag } from '../../../src/flags/configmap-store.js';
import { flagAtPercent, killedFlag, promotedFlag } from '../../../src/flags/flag-driver.js';
import type { FlagState } from '../../../src/flags/flagd-format.js';
import { nodeAt, parseJsonTree, replaceObjectAt } from '../../../src/flags/json-edit.js';

const doc = `{
  "$schema": "https://flagd.dev/schema/v0/flags.json",
  "flags": {
    "banner":   { "state": "ENABLED", "variants": { "a": "A", "b": "B" }, "defaultVariant": "a" },
    "new-checkout": {
      "state": "ENABLED",
      "variants": {
        "on": true,
        "off": false
      },
      "defaultVariant": "off"
    },
    "legacy": {"state":"DISABLED","variants":{"x":1},"defaultVariant":"x"}
  }
}
`;

function flagOf(text: string, key: string): FlagState {
  return (JSON.parse(text) as { flags: Record<string, FlagState> }).flags[key] as FlagState;
}

/** Text outside flag `key`'s value, which an edit of that flag must leave alone. */
function outside(text: string, key: string): [string, string] {
  const node = nodeAt(parseJsonTree(text), ['flags', key]);
  if (!node) throw new Error(`no flag ${key}`);
  return [text.slice(0, node.offset), text.slice(node.offset + node.length)];
}

describe('spliceFlag', () => {
  it("adds targeting in the file's own style and keeps every other byte", () => {
    const next = flagAtPercent(flagOf(doc, 'new-checkout'), 'off', 'on', 10);
    const out = spliceFlag(doc, 'new-checkout', next);
    expect(out).toBe(
      doc.replace(
        '      "defaultVariant": "off"\n',
        `      "defaultVariant": "off",
      "targeting": {
        "fractional": [
          {
            "cat": [
              {
                "var": "$flagd.flagKey"
              },
              {
                "var": "targetingKey"
              }
            ]
          },
          [
            "on",
            10
          ],
          [
            "off",
            90
          ]
        ]
      }
`,
      ),
    );
    expect(outside(out, 'new-checkout')).toEqual(outside(doc, 'new-checkout'));
  });

  it('changes a percentage and then kills, back to the original bytes', () => {
    const at10 = spliceFlag(doc, 'new-checkout', flagAtPercent(flagOf(doc, 'new-checkout'), 'off', 'on', 10));
    const at50 = spliceFlag(at10, 'new-checkout', flagAtPercent(flagOf(at10, 'new-checkout'), 'off', 'on', 50));
    expect(at50).toContain('"on",\n            50');
    expect(at50.length).toBe(at10.length);
    const killed = spliceFlag(at50, 'new-checkout', killedFlag(flagOf(at50, 'new-checkout'), 'off'));
    expect(killed).toBe(doc);
  });

  it('edits a one-line flag on one line', () => {
    const out = spliceFlag(doc, 'legacy', promotedFlag({ ...flagOf(doc, 'legacy'), state: 'ENABLED' }, 'x'));
    expect(out).toBe(doc.replace('{"state":"DISABLED"', '{"state":"ENABLED"'));
    const inline = spliceFlag(doc, 'banner', { ...flagOf(doc, 'banner'), defaultVariant: 'b', targeting: { if: [true, 'a'] } });
    expect(inline).toContain('"defaultVariant": "b", "targeting": { "if": [ true, "a" ] } }');
    expect(outside(inline, 'banner')).toEqual(outside(doc, 'banner'));
  });

  it('handles tabs and CRLF', () => {
    const crlf =
      '{\r\n\t"flags": {\r\n\t\t"f": {\r\n\t\t\t"state": "ENABLED",\r\n\t\t\t"variants": {"on": 1, "off": 0},\r\n\t\t\t"defaultVariant": "on"\r\n\t\t}\r\n\t}\r\n}';
    const out = spliceFlag(crlf, 'f', flagAtPercent(flagOf(crlf, 'f'), 'off', 'on', 5));
    expect(out.replace(/\r\n/g, '')).not.toMatch(/\n/);
    expect(out).toContain('\t\t\t"targeting": {\r\n\t\t\t\t"fractional": [');
    expect(flagOf(out, 'f').defaultVariant).toBe('off');
  });

  it('edits a compact document compactly', () => {
    const compact =
      '{"flags":{"a":{"state":"ENABLED","variants":{"on":1,"off":0},"defaultVariant":"off","targeting":{"x":1}},"b":{"state":"ENABLED","variants":{"v":1},"defaultVariant":"v"}}}';
    const out = spliceFlag(compact, 'a', killedFlag(flagOf(compact, 'a'), 'off'));
    expect(out).toBe(compact.replace(',"targeting":{"x":1}', ''));
  });

  it('keeps members it does not know', () => {
    const withMeta = doc.replace('"defaultVariant": "off"\n', '"defaultVariant": "off",\n      "metadata": { "owner": "payments" }\n');
    const out = spliceFlag(withMeta, 'new-checkout', promotedFlag(flagOf(withMeta, 'new-checkout'), 'on'));
    expect(out).toBe(withMeta.replace('"defaultVariant": "off"', '"defaultVariant": "on"'));
  });
});

describe('replaceObjectAt', () => {
  const root = (text: string, next: Record<string, unknown>) => replaceObjectAt(text, [], next);

  it.each([
    ['{"a": 1, "b": 2, "c": 3}', { b: 2, c: 3 }, '{"b": 2, "c": 3}'],
    ['{"a": 1, "b": 2, "c": 3}', { a: 1, c: 3 }, '{"a": 1, "c": 3}'],
    ['{"a": 1, "b": 2, "c": 3}', { a: 1, b: 2 }, '{"a": 1, "b": 2}'],
    ['{ "a": 1 }', {}, '{ }'],
    ['{"a": 1}', { a: 1 }, '{"a": 1}'],
    ['{\n  "a": 1,\n  "b": 2\n}', { b: 2 }, '{\n  "b": 2\n}'],
  ])('removes from %j', (text, next, expected) => {
    expect(root(text, next)).toBe(expected);
  });

  it.each([
    ['{"a": 1}', '{"a": 1,"k": true}'],
    ['{\n  "a": 1\n}', '{\n  "a": 1,\n  "k": true\n}'],
    ['{\r\n\t"a": 1\r\n}', '{\r\n\t"a": 1,\r\n\t"k": true\r\n}'],
  ])('appends to %j', (text, expected) => {
    expect(root(text, { a: 1, k: true })).toBe(expected);
  });

  it('fills an empty object', () => {
    expect(root('{}', { k: true })).toBe('{"k": true}');
  });

  it('lays out only what it writes: a one-line neighbour stays as it was', () => {
    const text = '{\n  "d": 1,\n  "v": {"a": 1,   "b": 2}\n}';
    expect(root(text, { d: 1, v: { a: 1, b: 2 }, k: { x: [1] } })).toBe(
      '{\n  "d": 1,\n  "v": {"a": 1,   "b": 2},\n  "k": {\n    "x": [\n      1\n    ]\n  }\n}',
    );
  });

  it('rejects malformed JSON, comments included, with an offset', () => {
    expect(() => parseJsonTree('{"a": }')).toThrow(/ValueExpected at offset 6/);
    expect(() => parseJsonTree('{"a": 1} 2')).toThrow(/EndOfFileExpected at offset 9/);
    expect(() => parseJsonTree('{"a": 1 // why\n}')).toThrow(/InvalidCommentToken/);
    expect(() => replaceObjectAt('{"a": 1}', ['a'], {})).toThrow(/no object at a/);
  });
});

// Random documents in random layouts, one flag rewritten: the result means
// exactly the intended document and nothing outside that flag moves.
const variantName = fc.constantFrom('on', 'off', 'a', 'b');
const flagArb = fc.record(
  {
    state: fc.constantFrom('ENABLED' as const, 'DISABLED' as const),
    variants: fc.constant({ on: true, off: false, a: 'A', b: { n: [1, 2] } }),
    defaultVariant: variantName,
    targeting: fc.option(
      fc.constantFrom(
        { if: [{ var: 'x' }, 'on', null] },
        {
          fractional: [
            ['on', 1],
            ['off', 1],
          ],
        },
      ),
      { nil: undefined },
    ),
    metadata: fc.option(fc.dictionary(fc.constantFrom('team', 'ticket'), fc.string()), { nil: undefined }),
  },
  { requiredKeys: ['state', 'variants', 'defaultVariant'] },
);
const docArb = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== '__proto__'),
  flagArb,
  { minKeys: 1, maxKeys: 5 },
);

describe('spliceFlag (property)', () => {
  it('changes only the target flag', () => {
    fc.assert(
      fc.property(docArb, fc.constantFrom(0, 2, 4, '\t'), fc.nat(), flagArb, (flags, indent, pick, replacement) => {
        const text = JSON.stringify({ $schema: 'x', flags, tail: true }, null, indent) + '\n';
        const keys = Object.keys(flags);
        const key = keys[pick % keys.length] as string;
        const next = JSON.parse(JSON.stringify(replacement)) as FlagState;
        const out = spliceFlag(text, key, next);
        const expected = JSON.parse(text) as { flags: Record<string, unknown> };
        expected.flags[key] = next;
        expect(JSON.parse(out)).toEqual(expected);
        expect(outside(out, key)).toEqual(outside(text, key));
      }),
      { numRuns: 300 },
    );
  });
});
