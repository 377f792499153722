// Renders manifests/install.yaml from the chart: a Namespace, the CRDs and the chart
// with its default values, for `kubectl apply -f` without helm. One renderer serves
// the script and the test that keeps the checked-in file in sync.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { helm } from '../dev/tools/helm.js';
import { repoRoot } from '../dev/stack/paths.js';

export const INSTALL_NAMESPACE = 'clairvoyance-system';
export const INSTALL_RELEASE = 'clairvoyance';
export const CHART_DIR = join(repoRoot, 'charts', 'clairvoyance');
export const INSTALL_YAML = join(repoRoot, 'manifests', 'install.yaml');

const HEADER = `# Clairvoyance: everything \`kubectl apply -f\` needs (Namespace, CRDs, controller).
# Generated from charts/clairvoyance by \`npm run render:install\`; do not edit by hand.
# The controller registers its webhook configurations itself, owned by its ClusterRole:
# \`kubectl delete -f install.yaml\` removes them with it (garbage collection), so no dead
# gate is left behind. While every replica is down, gated namespaces stay closed by design.
`;

// The namespace enforces the restricted Pod Security Standard, which the chart's Pods meet.
const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata:
  name: ${INSTALL_NAMESPACE}
  labels:
    app.kubernetes.io/part-of: clairvoyance
    pod-security.kubernetes.io/enforce: restricted
`;

export async function renderInstall(): Promise<string> {
  const res = await helm(['template', INSTALL_RELEASE, CHART_DIR, '--namespace', INSTALL_NAMESPACE, '--include-crds']);
  if (res.code !== 0) throw new Error(`helm template failed (${res.code}): ${res.stderr}`);
  // helm prints "---" before each document; the Namespace leads so `kubectl apply` creates it first.
  return `${HEADER}---\n${NAMESPACE}${res.stdout.startsWith('---') ? '' : '---\n'}${res.stdout.trimEnd()}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  renderInstall().then(
    (yaml) => {
      writeFileSync(INSTALL_YAML, yaml);
      process.stderr.write(`wrote ${INSTALL_YAML}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
