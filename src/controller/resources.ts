import { GROUP, VERSION } from '../api/index.js';
import type { ResourceRef } from '../kube/index.js';

export const ROLLOUTS: ResourceRef = { group: GROUP, version: VERSION, plural: 'rollouts' };
export const ANALYSIS_TEMPLATES: ResourceRef = { group: GROUP, version: VERSION, plural: 'analysistemplates' };
export const CLUSTER_ANALYSIS_TEMPLATES: ResourceRef = { group: GROUP, version: VERSION, plural: 'clusteranalysistemplates' };
export const CONTEXT_POLICIES: ResourceRef = { group: GROUP, version: VERSION, plural: 'contextpolicies' };
export const CLUSTER_CONTEXT_POLICIES: ResourceRef = { group: GROUP, version: VERSION, plural: 'clustercontextpolicies' };
export const CHANGES: ResourceRef = { group: GROUP, version: VERSION, plural: 'changes' };
export const NAMESPACES: ResourceRef = { group: '', version: 'v1', plural: 'namespaces' };
