// Read-only views of a Deployment that several rules share.
import type { V1Container, V1Deployment, V1PodSpec } from '@kubernetes/client-node';
import { ProvenanceAnnotations, isOrigin, type Origin } from '../api/index.js';
import type { Labels } from './selectors.js';

export function podSpec(d: V1Deployment): V1PodSpec | undefined {
  return d.spec?.template?.spec;
}

/** Containers that serve traffic (probes, telemetry wiring apply to these). */
export function appContainers(d: V1Deployment): V1Container[] {
  return podSpec(d)?.containers ?? [];
}

/** Every container that runs code, init containers included (images, limits, users). */
export function allContainers(d: V1Deployment): V1Container[] {
  return [...(podSpec(d)?.initContainers ?? []), ...appContainers(d)];
}

export function templateAnnotations(d: V1Deployment | undefined): Labels {
  return d?.spec?.template?.metadata?.annotations ?? {};
}

export function templateLabels(d: V1Deployment | undefined): Labels {
  return d?.spec?.template?.metadata?.labels ?? {};
}

export function workloadKey(d: V1Deployment): string {
  return `${d.metadata?.namespace ?? ''}/${d.metadata?.name ?? ''}`;
}

/**
 * Who wrote the revision: the pod template's origin annotation, else the policy's
 * default. An unknown value also falls back, so a typo cannot dodge an origin match.
 */
export function changeOrigin(d: V1Deployment, defaultOrigin: Origin): Origin {
  const value = templateAnnotations(d)[ProvenanceAnnotations.origin];
  return isOrigin(value) ? value : defaultOrigin;
}
