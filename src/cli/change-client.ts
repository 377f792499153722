// The CLI's read access to Change resources (the ledger).
import { CustomObjectsApi } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../api/index.js';
import type { ChangeObject } from '../api/objects.js';
import { isNotFound } from '../kube/errors.js';
import { loadKubeConfig } from '../kube/kubeconfig.js';
import { changeNameForId } from '../ledger/key.js';

const CHANGES = { group: GROUP, version: VERSION, plural: 'changes' };

export class ChangeClient {
  readonly namespace: string;
  private readonly api: CustomObjectsApi;

  constructor(target: { kubeconfig?: string; namespace?: string }) {
    const kc = loadKubeConfig(target.kubeconfig);
    this.namespace = target.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
    this.api = kc.makeApiClient(CustomObjectsApi);
  }

  async list(allNamespaces: boolean): Promise<ChangeObject[]> {
    const res = (
      allNamespaces ? await this.api.listClusterCustomObject(CHANGES) : await this.api.listNamespacedCustomObject({ ...CHANGES, namespace: this.namespace })
    ) as { items: ChangeObject[] };
    return res.items;
  }

  /** By resource name, or by the change-id it was keyed with. */
  async get(nameOrId: string): Promise<ChangeObject> {
    for (const name of [nameOrId, changeNameForId(nameOrId)]) {
      try {
        return (await this.api.getNamespacedCustomObject({ ...CHANGES, namespace: this.namespace, name })) as ChangeObject;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    throw new Error(`change ${nameOrId} not found in namespace ${this.namespace} (by name or change-id)`);
  }
}
