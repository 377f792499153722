import {
  CLUSTER_CONTEXT_POLICY_KIND,
  type ClusterContextPolicy,
  type ContextPolicy,
  type ContextPolicySpec,
  type NamespaceObject,
  type Origin,
  type Workload,
} from '../api/index.js';
import { selectorMatches, type Labels } from './selectors.js';
import { changeOrigin } from './workload.js';

export type AnyPolicy = ContextPolicy | ClusterContextPolicy;

/** `ContextPolicy/ns/name` or `ClusterContextPolicy/name`, as findings name their policy. */
export function policyName(p: AnyPolicy): string {
  return p.kind === CLUSTER_CONTEXT_POLICY_KIND ? `${p.kind}/${p.metadata.name ?? ''}` : `${p.kind}/${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`;
}

/** Namespace labels as selectors see them; the API server always sets the name label. */
export function namespaceLabels(name: string, ns: NamespaceObject | undefined): Labels {
  return { ...(ns?.metadata?.labels ?? {}), 'kubernetes.io/metadata.name': name };
}

/** Whether the policy's scope covers the workload's namespace. */
export function policyCoversNamespace(p: AnyPolicy, namespace: string, ns: NamespaceObject | undefined): boolean {
  if (p.kind === CLUSTER_CONTEXT_POLICY_KIND) return selectorMatches(p.spec.match?.namespaceSelector, namespaceLabels(namespace, ns));
  return p.metadata.namespace === namespace;
}

/** The origin a policy assigns to this change, or undefined when it does not apply to that origin. */
export function originMatch(spec: ContextPolicySpec, d: Workload): Origin | undefined {
  const origin = changeOrigin(d, spec.defaultOrigin ?? 'human');
  // Defensive reads: objects from an informer cache were never defaulted by zod.
  const wanted = spec.match?.origins ?? [];
  return wanted.length === 0 || wanted.includes(origin) ? origin : undefined;
}

/**
 * Full match: namespace scope, workload selector and origin. A policy a Rollout names in
 * spec.gates.policies skips the selectors (it was chosen for this workload) but keeps the
 * origin filter, which says which kind of change its rules are about.
 */
export function policyMatches(p: AnyPolicy, d: Workload, ns: NamespaceObject | undefined, named = false): Origin | undefined {
  if (!named) {
    const namespace = d.metadata?.namespace ?? '';
    if (!policyCoversNamespace(p, namespace, ns)) return undefined;
    if (!selectorMatches(p.spec.match?.workloadSelector, d.metadata?.labels)) return undefined;
  }
  return originMatch(p.spec, d);
}
