// Read-only views of a Deployment that several rules share.
import { ProvenanceAnnotations, isOrigin, type Container, type Origin, type PodSpec, type Workload } from '../api/index.js';
import type { Labels } from './selectors.js';

export function podSpec(d: Workload): PodSpec | undefined {
  return d.spec?.template?.spec ?? undefined;
}

/** Containers that serve traffic (probes, telemetry wiring apply to these). */
export function appContainers(d: Workload): readonly Container[] {
  return podSpec(d)?.containers ?? [];
}

/** Every container that runs code, init containers included (images, limits, users). */
export function allContainers(d: Workload): Container[] {
  return [...(podSpec(d)?.initContainers ?? []), ...appContainers(d)];
}

export function templateAnnotations(d: Workload | undefined): Labels {
  return d?.spec?.template?.metadata?.annotations ?? {};
}

export function templateLabels(d: Workload | undefined): Labels {
  return d?.spec?.template?.metadata?.labels ?? {};
}

export function workloadKey(d: Workload): string {
  return `${d.metadata?.namespace ?? ''}/${d.metadata?.name ?? ''}`;
}

/**
 * Who wrote the revision: the pod template's origin annotation, else the policy's
 * default. An unknown value also falls back, so a typo cannot dodge an origin match.
 */
export function changeOrigin(d: Workload, defaultOrigin: Origin): Origin {
  const value = templateAnnotations(d)[ProvenanceAnnotations.origin];
  return isOrigin(value) ? value : defaultOrigin;
}
