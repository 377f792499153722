// One stack per test run: reuse a healthy one (left running), or start one and
// stop it when the run ends so no process outlives the tests.
import { down, up } from '../../dev/stack/stack.js';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.E2E_KUBECONFIG) return undefined;
  const { reused } = await up();
  if (reused || process.env.KEEP_STACK === '1') return undefined;
  return async () => {
    await down();
  };
}
