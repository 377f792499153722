// The caches the controller reads, cluster-wide or per watched namespace.
import type { KubernetesObject, V1Deployment, V1Namespace, V1ReplicaSet } from '@kubernetes/client-node';
import type { KubeConfigLike } from '../kube/rest.js';
import {
  APPS_DEPLOYMENTS,
  APPS_REPLICASETS,
  Informer,
  type InformerObserver,
  type InformerOptions,
  type ResourceRef,
  type SharedInformer,
} from '../kube/index.js';
import type { KubeLogger } from '../kube/logger.js';
import { CompositeInformer } from './composite-informer.js';
import { ANALYSIS_TEMPLATES, CLUSTER_ANALYSIS_TEMPLATES, CHANGES, CLUSTER_CONTEXT_POLICIES, CONTEXT_POLICIES, NAMESPACES, ROLLOUTS } from './resources.js';
import type { AnalysisTemplateObject, ChangeObject, RolloutObject } from '../api/objects.js';

export interface ControllerInformers {
  rollouts: SharedInformer<RolloutObject>;
  deployments: SharedInformer<V1Deployment>;
  replicaSets: SharedInformer<V1ReplicaSet>;
  analysisTemplates: SharedInformer<AnalysisTemplateObject>;
  clusterAnalysisTemplates: SharedInformer<AnalysisTemplateObject>;
  namespaces: SharedInformer<V1Namespace>;
  contextPolicies: SharedInformer<KubernetesObject>;
  clusterContextPolicies: SharedInformer<KubernetesObject>;
  changes: SharedInformer<ChangeObject>;
}

export interface InformerFactoryOptions {
  /** Empty: watch the whole cluster. */
  namespaces: string[];
  logger: KubeLogger;
  observer: InformerObserver;
  /** Label selector on Rollouts (the shard); Deployments and ReplicaSets are matched through them. */
  rolloutSelector?: string;
}

/**
 * What the controller reads of a ReplicaSet is its metadata (owner, revision label,
 * annotations), spec.replicas and status: the pod template, most of its bytes, is never
 * read from the cache (a baseline reads the stable template with a GET), so it is not kept.
 * CLAIRVOYANCE_KEEP_RS_TEMPLATES=1 keeps it (to measure what dropping it saves).
 */
export function pruneReplicaSet(rs: V1ReplicaSet): void {
  if (rs.spec?.template) delete rs.spec.template.spec;
}

/** Rollouts by the Deployment their workloadRef names: a Deployment event finds its Rollouts without a scan. */
export const BY_WORKLOAD = 'workload';
/** ReplicaSets by the uid of the Rollout that controls them. */
export const BY_OWNER = 'owner';
/** Changes by the Rollout they record. */
export const BY_ROLLOUT = 'rollout';

/** `namespace/name`: the key of the by-workload and by-rollout indexes. */
export function workloadKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function workloadName(r: RolloutObject): string {
  return (r.spec as { workloadRef?: { name?: string } } | undefined)?.workloadRef?.name ?? '';
}

export function createInformers(kc: KubeConfigLike, opts: InformerFactoryOptions): ControllerInformers {
  const make = <T extends KubernetesObject>(
    resource: ResourceRef,
    namespaced = true,
    extra: Pick<InformerOptions<T>, 'prune' | 'labelSelector' | 'indexers'> = {},
  ): SharedInformer<T> => {
    const base: InformerOptions<T> = { resource, logger: opts.logger, observer: opts.observer, ...extra };
    if (!namespaced || opts.namespaces.length === 0) return new Informer<T>(kc, base);
    if (opts.namespaces.length === 1) return new Informer<T>(kc, { ...base, namespace: opts.namespaces[0]! });
    return new CompositeInformer<T>(new Map(opts.namespaces.map((ns) => [ns, new Informer<T>(kc, { ...base, namespace: ns })])));
  };
  return {
    rollouts: make<RolloutObject>(ROLLOUTS, true, {
      ...(opts.rolloutSelector ? { labelSelector: opts.rolloutSelector } : {}),
      indexers: { [BY_WORKLOAD]: (r) => [workloadKey(r.metadata?.namespace ?? '', workloadName(r))] },
    }),
    deployments: make<V1Deployment>(APPS_DEPLOYMENTS),
    replicaSets: make<V1ReplicaSet>(APPS_REPLICASETS, true, {
      ...(process.env.CLAIRVOYANCE_KEEP_RS_TEMPLATES === '1' ? {} : { prune: pruneReplicaSet }),
      indexers: { [BY_OWNER]: (rs) => rs.metadata?.ownerReferences?.filter((o) => o.controller && o.kind === 'Rollout').map((o) => o.uid) ?? [] },
    }),
    analysisTemplates: make<AnalysisTemplateObject>(ANALYSIS_TEMPLATES),
    clusterAnalysisTemplates: make<AnalysisTemplateObject>(CLUSTER_ANALYSIS_TEMPLATES, false),
    namespaces: make<V1Namespace>(NAMESPACES, false),
    contextPolicies: make<KubernetesObject>(CONTEXT_POLICIES),
    clusterContextPolicies: make<KubernetesObject>(CLUSTER_CONTEXT_POLICIES, false),
    changes: make<ChangeObject>(CHANGES, true, {
      indexers: { [BY_ROLLOUT]: (c) => (c.spec?.rollout ? [workloadKey(c.metadata?.namespace ?? '', c.spec.rollout)] : []) },
    }),
  };
}

/** Maps an event on any cache to the Rollout keys it concerns. */
export function rolloutKeysFor(informers: ControllerInformers, owns: (r: RolloutObject) => boolean = () => true) {
  return (source: string, obj: KubernetesObject): string[] => {
    const ns = obj.metadata?.namespace;
    const name = obj.metadata?.name ?? '';
    switch (source) {
      case 'rollouts':
        return ns && owns(obj as RolloutObject) ? [`${ns}/${name}`] : [];
      case 'replicaSets': {
        const owner = obj.metadata?.ownerReferences?.find((o) => o.controller && o.kind === 'Rollout');
        const rollout = ns && owner ? informers.rollouts.get(ns, owner.name) : undefined;
        // Another shard's Rollout: its ReplicaSets are not our work.
        return ns && owner && rollout && owns(rollout) ? [`${ns}/${owner.name}`] : [];
      }
      case 'deployments':
        return ns
          ? informers.rollouts
              .byIndex(BY_WORKLOAD, workloadKey(ns, name))
              .filter(owns)
              .map((r) => `${ns}/${r.metadata?.name ?? ''}`)
          : [];
      default:
        return [];
    }
  };
}
