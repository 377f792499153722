import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { customResourceDefinition, renderCrdFiles, toStructural } from '../../../src/api/crd.js';
import { KINDS, type Kind } from '../../../src/api/documents.js';
import { CRD_DIRS } from '../../../src/api/generate.js';

const generated = renderCrdFiles();

describe('checked-in CRDs', () => {
  it.each(CRD_DIRS)('%s matches the generator output', async (dir) => {
    const onDisk = (await readdir(dir).catch(() => [])).filter((f) => f.startsWith('clairvoyance.dev_')).sort();
    expect(onDisk, `CRD files in ${dir} are stale: run npm run generate`).toEqual(generated.map((f) => f.fileName).sort());
    for (const file of generated) {
      const content = await readFile(join(dir, file.fileName), 'utf8');
      expect(content === file.content, `${dir}/${file.fileName} differs from src/api: run npm run generate`).toBe(true);
    }
  });
});

/** Every node that is not the int-or-string idiom must be typed and free of unions. */
function assertStructural(node: Record<string, unknown>, path: string): void {
  if (node['x-kubernetes-int-or-string'] === true) return;
  expect(node.type, `${path} has no type`).toBeTypeOf('string');
  for (const key of ['anyOf', 'oneOf', 'allOf', 'not', '$ref']) expect(node, path).not.toHaveProperty(key);
  const props = (node.properties ?? {}) as Record<string, Record<string, unknown>>;
  for (const [k, v] of Object.entries(props)) assertStructural(v, `${path}.${k}`);
  if (node.items !== undefined) assertStructural(node.items as Record<string, unknown>, `${path}[]`);
}

describe('CRD shape', () => {
  const expected: Record<Kind, { short: string; scope: string }> = {
    Rollout: { short: 'cvr', scope: 'Namespaced' },
    AnalysisTemplate: { short: 'cvat', scope: 'Namespaced' },
    ClusterAnalysisTemplate: { short: 'cvcat', scope: 'Cluster' },
    ContextPolicy: { short: 'cvcp', scope: 'Namespaced' },
    ClusterContextPolicy: { short: 'cvccp', scope: 'Cluster' },
    Change: { short: 'cvch', scope: 'Namespaced' },
  };

  it.each(Object.keys(KINDS) as Kind[])('%s: names, scope, structural schema', (kind) => {
    const crd = customResourceDefinition(kind);
    const spec = crd.spec as {
      names: { shortNames: string[]; categories: string[] };
      scope: string;
      versions: { schema: { openAPIV3Schema: Record<string, unknown> } }[];
    };
    expect(spec.names.shortNames).toEqual([expected[kind].short]);
    expect(spec.names.categories).toEqual(['clairvoyance']);
    expect(spec.scope).toBe(expected[kind].scope);
    const schema = spec.versions[0]?.schema.openAPIV3Schema;
    expect(schema).toBeDefined();
    assertStructural(schema ?? {}, kind);
  });

  it('Rollout has status and scale subresources and the printer columns', () => {
    const version = (customResourceDefinition('Rollout').spec.versions as Record<string, unknown>[])[0];
    expect(version?.subresources).toEqual({
      status: {},
      scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
    });
    const columns = (version?.additionalPrinterColumns as { name: string; priority?: number }[]).filter((c) => c.priority === undefined).map((c) => c.name);
    expect(columns).toEqual(['Phase', 'Step', 'Canary Weight', 'Revision', 'Age']);
  });

  it('policies have a status subresource', () => {
    for (const kind of ['ContextPolicy', 'ClusterContextPolicy'] as const) {
      const version = (customResourceDefinition(kind).spec.versions as Record<string, unknown>[])[0];
      expect(version?.subresources).toEqual({ status: {} });
    }
  });

  it('expresses "exactly one of" step kinds as a CEL rule', () => {
    const file = generated.find((f) => f.fileName === 'clairvoyance.dev_rollouts.yaml');
    const doc = parse(file?.content ?? '') as Record<string, unknown>;
    const text = JSON.stringify(doc);
    expect(text).toContain(
      '[has(self.setWeight), has(self.pause), has(self.analysis), has(self.setFlag), has(self.setCanaryScale), has(self.setHeaderRoute)].filter(x, x).size() == 1',
    );
  });

  it('quotes YAML 1.1 booleans so kubectl reads on/off as strings', () => {
    const file = generated.find((f) => f.fileName === 'clairvoyance.dev_rollouts.yaml');
    expect(file?.content).toContain('default: "off"');
    expect(file?.content).toContain('default: "on"');
  });
});

describe('toStructural', () => {
  it.each([
    ['a union', { type: 'object', properties: { a: { oneOf: [{ type: 'string' }] } } }, /oneOf/],
    ['a $ref', { type: 'object', properties: { a: { $ref: '#/x' } } }, /\$ref/],
    ['an untyped node', { type: 'object', properties: { a: { description: 'x' } } }, /type/],
  ])('rejects %s', (_name, node, message) => {
    expect(() => toStructural(node)).toThrow(message);
  });

  it('drops additionalProperties: false and zod integer bounds', () => {
    expect(
      toStructural({
        type: 'object',
        additionalProperties: false,
        properties: { n: { type: 'integer', minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER } },
      }),
    ).toEqual({ type: 'object', properties: { n: { type: 'integer' } } });
  });
});
