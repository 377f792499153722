// Installs the generated CRDs once per test file; server-side apply is idempotent, so
// files running in parallel may all do it.
import { kubectl, type CommandResult } from '../../support/cluster.js';

export async function installCrds(): Promise<void> {
  const applied = await kubectl(['apply', '--server-side', '--force-conflicts', '-f', 'manifests/crds/']);
  if (applied.code !== 0) throw new Error(`applying CRDs failed: ${applied.stderr}`);
  const established = await kubectl(['wait', '--for', 'condition=Established', '--timeout=60s', 'crd', '-l', 'app.kubernetes.io/part-of=clairvoyance']);
  if (established.code !== 0) throw new Error(`CRDs not established: ${established.stderr}`);
}

/** Server-side dry-run apply of one object: what the API server thinks of it. */
export function dryRunApply(namespace: string, obj: unknown): Promise<CommandResult> {
  return kubectl(['apply', '--server-side', '--dry-run=server', '--field-manager=api-tests', '-n', namespace, '-f', '-'], {
    input: JSON.stringify(obj),
  });
}
