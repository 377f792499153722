// The gates' view of the cluster, read from informer caches. Objects are
// validated once per version (the cache keeps one object per version, so a
// WeakMap keyed by it is an exact memo); invalid ones are skipped, as the API
// server's schema should have refused them anyway.
import type { KubernetesObject, V1Deployment, V1Namespace } from '@kubernetes/client-node';
import type { z } from 'zod';
import { clusterContextPolicySchema, contextPolicySchema, rolloutSchema, type ClusterContextPolicy, type ContextPolicy, type Rollout } from '../api/index.js';
import type { PolicySource } from '../gates/index.js';
import type { SharedInformer } from '../kube/index.js';
import type { Logger } from '../telemetry/logger.js';
import { BY_WORKLOAD, workloadKey } from './informers.js';

export interface PolicyCaches {
  contextPolicies: SharedInformer<KubernetesObject>;
  clusterContextPolicies: SharedInformer<KubernetesObject>;
  /** Indexed BY_WORKLOAD (createInformers' rollouts). */
  rollouts: SharedInformer<KubernetesObject>;
  deployments: SharedInformer<V1Deployment>;
  namespaces: SharedInformer<V1Namespace>;
}

export class CachedPolicySource implements PolicySource {
  private readonly parsed = new WeakMap<object, unknown>();
  /** One list of Deployments until one changes: the contract index is built per list, not per review. */
  private workloadList: readonly V1Deployment[] | undefined;

  constructor(
    private readonly caches: PolicyCaches,
    private readonly logger: Logger,
  ) {
    const changed = (): void => {
      this.workloadList = undefined;
    };
    caches.deployments.on('add', changed);
    caches.deployments.on('delete', changed);
    caches.deployments.on('relist', changed);
    // A periodic resync hands the same object as old and new: nothing changed.
    caches.deployments.on('update', (obj, old) => {
      if (obj !== old) changed();
    });
  }

  contextPolicies(namespace: string): ContextPolicy[] {
    return this.valid(this.caches.contextPolicies.list(namespace), contextPolicySchema);
  }

  clusterContextPolicies(): ClusterContextPolicy[] {
    return this.valid(this.caches.clusterContextPolicies.list(), clusterContextPolicySchema);
  }

  workloads(): readonly V1Deployment[] {
    this.workloadList ??= this.caches.deployments.list();
    return this.workloadList;
  }

  rolloutsOf(namespace: string, workload: string): Rollout[] {
    return this.valid(this.caches.rollouts.byIndex(BY_WORKLOAD, workloadKey(namespace, workload)), rolloutSchema);
  }

  namespace(name: string): V1Namespace | undefined {
    return this.caches.namespaces.get(undefined, name);
  }

  private valid<S extends z.ZodType>(objects: KubernetesObject[], schema: S): z.infer<S>[] {
    const out: z.infer<S>[] = [];
    for (const obj of objects) {
      let value = this.parsed.get(obj);
      if (value === undefined) {
        const result = schema.safeParse(obj);
        value = result.success ? result.data : null;
        if (!result.success) {
          this.logger.warn(
            { kind: obj.kind, name: obj.metadata?.name, namespace: obj.metadata?.namespace, issue: result.error.issues[0]?.message },
            'skipping an invalid object',
          );
        }
        this.parsed.set(obj, value);
      }
      if (value !== null) out.push(value as z.infer<S>);
    }
    return out;
  }
}
