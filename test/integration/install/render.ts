// Renders the chart for the install tests and reads the documents back.
import { parseAllDocuments } from 'yaml';
import { helm } from '../../../dev/tools/helm.js';
import { CHART_DIR } from '../../../scripts/render-install.js';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export async function renderChart(release: string, namespace: string, set: string[] = []): Promise<string> {
  const res = await helm(['template', release, CHART_DIR, '--namespace', namespace, ...set.flatMap((s) => ['--set', s])]);
  if (res.code !== 0) throw new Error(`helm template failed (${res.code}): ${res.stderr}`);
  return res.stdout;
}

export function documents(yaml: string): Manifest[] {
  return parseAllDocuments(yaml)
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`rendered YAML does not parse: ${d.errors[0]!.message}`);
      return d.toJS() as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null);
}

export function find(docs: Manifest[], kind: string, name?: string): Manifest {
  const found = docs.find((d) => d.kind === kind && (name === undefined || d.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` ${name}` : ''} among: ${docs.map((d) => `${d.kind}/${d.metadata.name}`).join(', ')}`);
  return found;
}
