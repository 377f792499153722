// The CLI's access to Rollouts: reads, and operator actions written through the
// status subresource (the controller consumes and clears them).
import { userInfo } from 'node:os';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION, type OperatorAction } from '../api/index.js';
import type { RolloutObject } from '../api/objects.js';
import { loadKubeConfig } from '../kube/kubeconfig.js';

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface Target {
  kubeconfig?: string;
  namespace?: string;
}

export class RolloutClient {
  readonly kc: KubeConfig;
  readonly namespace: string;
  private readonly api: CustomObjectsApi;

  constructor(target: Target) {
    this.kc = loadKubeConfig(target.kubeconfig);
    this.namespace = target.namespace ?? this.kc.getContextObject(this.kc.getCurrentContext())?.namespace ?? 'default';
    this.api = this.kc.makeApiClient(CustomObjectsApi);
  }

  async get(name: string): Promise<RolloutObject> {
    try {
      return (await this.api.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: this.namespace,
        plural: 'rollouts',
        name,
      })) as RolloutObject;
    } catch (err) {
      if ((err as { code?: number }).code === 404) throw new Error(`rollout ${this.namespace}/${name} not found`);
      throw err;
    }
  }

  async list(): Promise<RolloutObject[]> {
    const res = (await this.api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.namespace, plural: 'rollouts' })) as {
      items: RolloutObject[];
    };
    return res.items;
  }

  async requestAction(name: string, action: OperatorAction['action'], message?: string): Promise<void> {
    await this.get(name);
    const operatorAction: OperatorAction = {
      action,
      requestedAt: new Date().toISOString(),
      requestedBy: process.env.USER ?? userInfo().username,
      ...(message ? { message } : {}),
    };
    await this.api.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, namespace: this.namespace, plural: 'rollouts', name, body: { status: { operatorAction } } },
      MERGE_PATCH,
    );
  }
}
