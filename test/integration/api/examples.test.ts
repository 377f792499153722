import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { KINDS, isKind } from '../../../src/api/documents.js';
import { kubectl, useTestNamespace } from '../../support/cluster.js';
import { installCrds } from './crds.js';

const ns = useTestNamespace('api-examples');
const DIR = 'manifests/examples';

beforeAll(installCrds);

/** Cluster-scoped examples would affect other test files' namespaces, so those are dry-run only. */
function isClusterScoped(text: string): boolean {
  return parseAllDocuments(text).some((d) => {
    const kind = (d.toJS() as { kind?: unknown } | null)?.kind;
    return isKind(kind) && !KINDS[kind].namespaced;
  });
}

describe('manifests/examples', async () => {
  const files = (await readdir(DIR)).filter((f) => f.endsWith('.yaml')).sort();

  it.each(files)('%s applies server-side', async (file) => {
    const text = await readFile(join(DIR, file), 'utf8');
    const dryRun = isClusterScoped(text) ? ['--dry-run=server'] : [];
    const res = await kubectl(['apply', '--server-side', ...dryRun, '-n', ns.name, '-f', join(DIR, file)]);
    expect(res.code, res.stderr).toBe(0);
  });

  it('kubectl get clairvoyance lists them', async () => {
    const res = await kubectl(['get', 'clairvoyance', '-n', ns.name, '-o', 'name']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('rollout.clairvoyance.dev/checkout');
    expect(res.stdout).toContain('analysistemplate.clairvoyance.dev/error-rate');
    expect(res.stdout).toContain('analysistemplate.clairvoyance.dev/latency-compare');
  });
});
