// A PolicySource over fresh API lists, for tests: the controller backs the same interface
// with informer caches. `refresh()` before each step makes reads deterministic.
import { AppsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Deployment, type V1Namespace } from '@kubernetes/client-node';
import type { ClusterContextPolicy, ContextPolicy, Rollout } from '../../../src/api/index.js';
import type { PolicySource } from '../../../src/gates/index.js';

export class LivePolicySource implements PolicySource {
  private data = {
    ns: [] as V1Namespace[],
    deps: [] as V1Deployment[],
    cps: [] as ContextPolicy[],
    ccps: [] as ClusterContextPolicy[],
    rollouts: [] as Rollout[],
  };
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly kc: KubeConfig) {}

  async refresh(): Promise<void> {
    const core = this.kc.makeApiClient(CoreV1Api);
    const apps = this.kc.makeApiClient(AppsV1Api);
    const crs = this.kc.makeApiClient(CustomObjectsApi);
    const list = async <T>(plural: string): Promise<T[]> =>
      ((await crs.listClusterCustomObject({ group: 'clairvoyance.dev', version: 'v1alpha1', plural })) as { items: T[] }).items;
    const [ns, deps, cps, ccps, rollouts] = await Promise.all([
      core.listNamespace(),
      apps.listDeploymentForAllNamespaces(),
      list<ContextPolicy>('contextpolicies'),
      list<ClusterContextPolicy>('clustercontextpolicies'),
      list<Rollout>('rollouts'),
    ]);
    this.data = { ns: ns.items, deps: deps.items, cps, ccps, rollouts };
  }

  /** Keeps refreshing in the background, like an informer would. */
  startPolling(ms: number): void {
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), ms).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  contextPolicies(namespace: string): ContextPolicy[] {
    return this.data.cps.filter((p) => p.metadata.namespace === namespace);
  }
  clusterContextPolicies(): ClusterContextPolicy[] {
    return this.data.ccps;
  }
  workloads(): V1Deployment[] {
    return this.data.deps;
  }
  rolloutsOf(namespace: string, workload: string): Rollout[] {
    return this.data.rollouts.filter((r) => r.metadata.namespace === namespace && r.spec.workloadRef?.name === workload);
  }
  namespace(name: string): V1Namespace | undefined {
    return this.data.ns.find((n) => n.metadata?.name === name);
  }
}
