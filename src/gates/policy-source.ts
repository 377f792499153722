import type { ClusterContextPolicy, ContextPolicy, NamespaceObject, Rollout, Workload } from '../api/index.js';

/**
 * What gates read from the cluster. Synchronous on purpose: the controller backs it with
 * informer caches, so an admission review never waits on the API server.
 */
export interface PolicySource {
  /** ContextPolicies in one namespace. */
  contextPolicies(namespace: string): ContextPolicy[];
  clusterContextPolicies(): ClusterContextPolicy[];
  /**
   * Every Deployment in the cluster (downstream contracts look across namespaces). The
   * same array until a Deployment changes, so what is derived from it can be memoized.
   */
  workloads(): readonly Workload[];
  /** Rollouts in one namespace (requireRollout, adoption, requireFlagFor). */
  rollouts(namespace: string): Rollout[];
  /** The Namespace object, for namespace selectors, the gated label and data classes. */
  namespace(name: string): NamespaceObject | undefined;
}

/** An in-memory source over fixed lists: tests, benchmarks and one-off checks. */
export class StaticPolicySource implements PolicySource {
  constructor(
    private readonly data: {
      contextPolicies?: ContextPolicy[];
      clusterContextPolicies?: ClusterContextPolicy[];
      workloads?: Workload[];
      rollouts?: Rollout[];
      namespaces?: NamespaceObject[];
    } = {},
  ) {}

  contextPolicies(namespace: string): ContextPolicy[] {
    return (this.data.contextPolicies ?? []).filter((p) => p.metadata.namespace === namespace);
  }

  clusterContextPolicies(): ClusterContextPolicy[] {
    return this.data.clusterContextPolicies ?? [];
  }

  workloads(): readonly Workload[] {
    return this.data.workloads ?? [];
  }

  rollouts(namespace: string): Rollout[] {
    return (this.data.rollouts ?? []).filter((r) => r.metadata.namespace === namespace);
  }

  namespace(name: string): NamespaceObject | undefined {
    return (this.data.namespaces ?? []).find((n) => n.metadata?.name === name);
  }
}
