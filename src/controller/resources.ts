import type { KubernetesObject } from '@kubernetes/client-node';
import { GROUP, VERSION, type AnalysisTemplateSpec, type ChangeSpec, type ChangeStatus, type RolloutStatus } from '../api/index.js';
import type { ResourceRef } from '../kube/index.js';

export const ROLLOUTS: ResourceRef = { group: GROUP, version: VERSION, plural: 'rollouts' };
export const ANALYSIS_TEMPLATES: ResourceRef = { group: GROUP, version: VERSION, plural: 'analysistemplates' };
export const CLUSTER_ANALYSIS_TEMPLATES: ResourceRef = { group: GROUP, version: VERSION, plural: 'clusteranalysistemplates' };
export const CONTEXT_POLICIES: ResourceRef = { group: GROUP, version: VERSION, plural: 'contextpolicies' };
export const CLUSTER_CONTEXT_POLICIES: ResourceRef = { group: GROUP, version: VERSION, plural: 'clustercontextpolicies' };
export const CHANGES: ResourceRef = { group: GROUP, version: VERSION, plural: 'changes' };
export const NAMESPACES: ResourceRef = { group: '', version: 'v1', plural: 'namespaces' };

/** A Rollout as served: spec is validated by the reconciler before use. */
export interface RolloutObject extends KubernetesObject {
  spec?: unknown;
  status?: RolloutStatus;
}

export interface AnalysisTemplateObject extends KubernetesObject {
  spec?: AnalysisTemplateSpec;
}

/** A Change as served; parsed before folding. */
export interface ChangeObject extends KubernetesObject {
  spec?: ChangeSpec;
  status?: ChangeStatus;
}
