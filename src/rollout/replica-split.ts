// The replicas router, which is the core's own arithmetic: a canary weight is carried by
// replica counts behind the user's existing Service, so "routing" is how many pods each
// revision runs, bounded by maxSurge and maxUnavailable like a Deployment. The routers
// that write to a data plane (Gateway API) live in src/traffic.
import type { IntOrPercent } from '../api/index.js';

/** Resolves an int-or-percent against a total; percentages round up for surge, down for unavailable. */
export function resolveIntOrPercent(value: IntOrPercent, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return Math.max(0, Math.trunc(value));
  const percent = Number(value.replace('%', ''));
  if (!Number.isFinite(percent)) return 0;
  const raw = (total * percent) / 100;
  return Math.max(0, roundUp ? Math.ceil(raw) : Math.floor(raw));
}

export interface ReplicaSplitInput {
  /** spec.replicas of the Rollout. */
  replicas: number;
  /** Canary weight of the current step, 0-100. */
  weight: number;
  maxSurge: IntOrPercent;
  maxUnavailable: IntOrPercent;
  /** Current replica counts and readiness of the two revisions. */
  stable: { replicas: number; ready: number };
  canary: { replicas: number; ready: number };
}

export interface ReplicaSplit {
  /** Replica count the step aims for once the canary is ready. */
  targetCanary: number;
  targetStable: number;
  /** What to set now, respecting surge and availability. */
  canary: number;
  stable: number;
  /** True when both revisions run their target counts and the canary's pods are ready. */
  settled: boolean;
}

export function canaryReplicaCount(replicas: number, weight: number): number {
  return Math.min(replicas, Math.ceil((replicas * weight) / 100));
}

/**
 * Canary first, stable second: the canary grows within the surge budget, and the
 * stable revision only shrinks as far as ready canary pods keep the service at
 * `replicas - maxUnavailable` available pods.
 */
export function splitReplicas(input: ReplicaSplitInput): ReplicaSplit {
  const { replicas, weight } = input;
  const targetCanary = canaryReplicaCount(replicas, weight);
  const targetStable = replicas - targetCanary;
  let surge = resolveIntOrPercent(input.maxSurge, replicas, true);
  const unavailable = resolveIntOrPercent(input.maxUnavailable, replicas, false);
  // Both budgets at zero would deadlock; a Deployment forbids it, we allow one surge pod.
  if (surge === 0 && unavailable === 0) surge = 1;

  const maxTotal = replicas + surge;
  const canary = Math.min(targetCanary, Math.max(input.canary.replicas, maxTotal - input.stable.replicas, 0));
  const minAvailable = replicas - unavailable;
  const canaryReady = Math.min(input.canary.ready, canary);
  const stable = Math.min(replicas, Math.max(targetStable, minAvailable - canaryReady));
  const settled = canary === targetCanary && stable === targetStable && canaryReady >= targetCanary && input.stable.replicas === targetStable;
  return { targetCanary, targetStable, canary, stable, settled };
}
