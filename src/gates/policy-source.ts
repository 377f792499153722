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
  /**
   * The Rollouts in `namespace` whose workloadRef names the Deployment `workload`
   * (requireRollout, adoption, requireFlagFor): looked up, not scanned, so a namespace of
   * 10,000 Rollouts costs an admission review what one Deployment's Rollouts cost.
   */
  rolloutsOf(namespace: string, workload: string): Rollout[];
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

  rolloutsOf(namespace: string, workload: string): Rollout[] {
    return (this.data.rollouts ?? []).filter((r) => r.metadata.namespace === namespace && r.spec.workloadRef?.name === workload);
  }

  namespace(name: string): NamespaceObject | undefined {
    return (this.data.namespaces ?? []).find((n) => n.metadata?.name === name);
  }
}
