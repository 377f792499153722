// One stack per test run: reuse a healthy one (left running), or start one and
// stop it when the run ends so no process outlives the tests. The CRDs are
// installed once here: a CRD that changes while other files run makes the API
// server re-initialise its storage and answer 429 to their requests.
import { spawnSync } from 'node:child_process';
import { down, up } from '../../dev/stack/stack.js';
import { helmBinary } from '../../dev/tools/helm.js';

function installCrds(kubectl: string, kubeconfig: string): void {
  const run = (args: string[]): void => {
    const res = spawnSync(kubectl, args, { env: { ...process.env, KUBECONFIG: kubeconfig }, encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${res.stderr || res.error?.message}`);
  };
  run(['apply', '--server-side', '--force-conflicts', '-f', 'manifests/crds/']);
  run(['wait', '--for=condition=Established', '--timeout=60s', '-f', 'manifests/crds/']);
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.E2E_KUBECONFIG) {
    installCrds(process.env.KUBECTL_BIN ?? 'kubectl', process.env.E2E_KUBECONFIG);
    await helmBinary();
    return undefined;
  }
  const { state, reused } = await up();
  const stop = reused || process.env.KEEP_STACK === '1' ? undefined : down;
  // The teardown project stops the stack to check its clean-up; it restarts one it did not start.
  if (!stop) process.env.CLAIRVOYANCE_STACK_KEEP_AFTER_SUITE = '1';
  try {
    installCrds(state.binaries.kubectl, state.kubeconfig);
    // The chart tests need helm; a cold build takes minutes, better here, before the
    // tests, than inside one test file's hook while other files load the two cores.
    await helmBinary();
  } catch (err) {
    await stop?.();
    throw err;
  }
  return stop && (async () => stop());
}
