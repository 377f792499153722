// The demo's closing table: `clairvoyance report` over the Changes the run left behind.
import { CustomObjectsApi } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../src/api/index.js';
import { loadKubeConfig } from '../../src/kube/kubeconfig.js';
import { doraByOrigin } from '../../src/ledger/dora.js';
import { parseLedgerChanges } from '../../src/ledger/parse.js';
import { renderTable } from '../../src/ledger/report.js';

interface Listed {
  items: { spec?: unknown; status?: { state?: string } }[];
}

/** Waits (at most `timeoutMs`) for every promoted change to pass its window, then renders the report. */
export async function ledgerReport(kubeconfig: string, namespace: string, timeoutMs: number): Promise<string> {
  const api = loadKubeConfig(kubeconfig).makeApiClient(CustomObjectsApi);
  const list = async (): Promise<Listed> => (await api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: 'changes' })) as Listed;
  const deadline = Date.now() + timeoutMs;
  let listed = await list();
  while (listed.items.some((c) => c.status?.state === 'Promoted') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    listed = await list();
  }
  const until = new Date();
  const window = { since: new Date(until.getTime() - 30 * 86_400_000), until };
  return renderTable(doraByOrigin(parseLedgerChanges(listed.items).changes, window), window, `namespace ${namespace}`);
}
