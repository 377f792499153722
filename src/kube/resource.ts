import type { KubernetesObject } from '@kubernetes/client-node';

/** Which API resource an informer or writer addresses. `group: ''` is the core group. */
export interface ResourceRef {
  group: string;
  version: string;
  /** Lower-case plural resource name, e.g. `configmaps`, `rollouts`. */
  plural: string;
}

export const CORE_CONFIGMAPS: ResourceRef = { group: '', version: 'v1', plural: 'configmaps' };
export const APPS_DEPLOYMENTS: ResourceRef = { group: 'apps', version: 'v1', plural: 'deployments' };
export const APPS_REPLICASETS: ResourceRef = { group: 'apps', version: 'v1', plural: 'replicasets' };
export const CORE_SECRETS: ResourceRef = { group: '', version: 'v1', plural: 'secrets' };
export const CORE_SERVICES: ResourceRef = { group: '', version: 'v1', plural: 'services' };
export const CORE_EVENTS: ResourceRef = { group: '', version: 'v1', plural: 'events' };
export const COORDINATION_LEASES: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' };
export const DISCOVERY_ENDPOINTSLICES: ResourceRef = { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices' };
export const VALIDATING_WEBHOOKS: ResourceRef = { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'validatingwebhookconfigurations' };
export const MUTATING_WEBHOOKS: ResourceRef = { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'mutatingwebhookconfigurations' };
export const CLUSTER_ROLES: ResourceRef = { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles' };
export const CUSTOM_RESOURCE_DEFINITIONS: ResourceRef = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };

export function apiVersionOf(ref: ResourceRef): string {
  return ref.group === '' ? ref.version : `${ref.group}/${ref.version}`;
}

/** Collection path, e.g. `/apis/apps/v1/namespaces/ns/deployments`; cluster-wide when no namespace. */
export function collectionPath(ref: ResourceRef, namespace?: string): string {
  const base = ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${ref.plural}`;
}

export function resourceName(ref: ResourceRef): string {
  return ref.group === '' ? ref.plural : `${ref.plural}.${ref.group}`;
}

/** Work-queue key: `namespace/name`, or `name` for cluster-scoped objects (as client-go). */
export function keyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function objectKey(obj: KubernetesObject): string {
  return keyOf(obj.metadata?.namespace, obj.metadata?.name ?? '');
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
