// Where a backtest's template comes from: a file (checked as `clairvoyance lint` and the
// webhook check it), or an AnalysisTemplate / ClusterAnalysisTemplate in the cluster.
import { existsSync, readFileSync } from 'node:fs';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { analysisTemplateSpecSchema, GROUP, validateDocument, VERSION, type AnalysisTemplateSpec } from '../api/index.js';
import { isNotFound } from '../kube/errors.js';

export interface LoadedTemplate {
  name: string;
  /** Where it came from, for the report: a file path or kind/namespace/name. */
  origin: string;
  spec: AnalysisTemplateSpec;
}

export class BacktestInputError extends Error {
  override readonly name = 'BacktestInputError';
}

const TEMPLATE_KINDS = new Set(['AnalysisTemplate', 'ClusterAnalysisTemplate']);

function fromFile(path: string): LoadedTemplate {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'), { version: '1.1' }).map((d) => d.toJS() as unknown);
  const found = docs.filter(
    (d): d is { kind: string; metadata?: { name?: string }; spec?: unknown } =>
      typeof d === 'object' && d !== null && TEMPLATE_KINDS.has((d as { kind?: string }).kind ?? ''),
  );
  if (found.length !== 1) throw new BacktestInputError(`${path} must hold exactly one AnalysisTemplate or ClusterAnalysisTemplate, found ${found.length}`);
  const doc = found[0]!;
  const errors = validateDocument(doc).filter((i) => i.severity === 'error');
  if (errors.length > 0)
    throw new BacktestInputError(
      `${path} is not a valid template:\n${errors.map((e) => `  ${e.path || '(document)'}: ${e.message} — fix: ${e.fix}`).join('\n')}`,
    );
  return { name: doc.metadata?.name ?? path, origin: path, spec: analysisTemplateSpecSchema.parse(doc.spec) };
}

async function fromCluster(kc: KubeConfig, name: string, namespace: string): Promise<LoadedTemplate> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const read = async (get: () => Promise<unknown>): Promise<unknown> => {
    try {
      return await get();
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
  const local = (await read(() => api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: 'analysistemplates', name }))) as
    { spec?: unknown } | undefined;
  if (local) return { name, origin: `AnalysisTemplate ${namespace}/${name}`, spec: analysisTemplateSpecSchema.parse(local.spec) };
  const cluster = (await read(() => api.getClusterCustomObject({ group: GROUP, version: VERSION, plural: 'clusteranalysistemplates', name }))) as
    { spec?: unknown } | undefined;
  if (cluster) return { name, origin: `ClusterAnalysisTemplate ${name}`, spec: analysisTemplateSpecSchema.parse(cluster.spec) };
  throw new BacktestInputError(
    `unknown template "${name}": no file of that name, no AnalysisTemplate ${name} in namespace ${namespace} and no ClusterAnalysisTemplate ${name}`,
  );
}

/** A path that exists is a file; anything else names a template in the cluster. */
export async function loadTemplate(ref: string, lookup: () => { kc: KubeConfig; namespace: string }): Promise<LoadedTemplate> {
  if (existsSync(ref)) return fromFile(ref);
  if (/[/\\]|\.ya?ml$/i.test(ref)) throw new BacktestInputError(`template file ${ref} does not exist`);
  const { kc, namespace } = lookup();
  return fromCluster(kc, ref, namespace);
}
