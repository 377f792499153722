// What the rollout core decides: a desired status plus side effects, executed by
// the shell in a fixed order: flag, traffic, ReplicaSets, Deployment, then status
// last, so a failed effect is retried before progress is recorded.
import type { RolloutStatus } from '../api/index.js';
import type { LedgerEntry } from '../ledger/identity.js';
import type { TrafficTarget } from './traffic.js';

export interface ReplicaTarget {
  revision: string;
  replicas: number;
  /** Set to schedule a delayed scale-down; null clears a scheduled one. */
  scaleDownAt?: string | null;
}

export type Action =
  | { type: 'setFlag'; percent: number }
  /** Kill switch: the flag's default goes back to the off variant, targeting removed. */
  | { type: 'killFlag' }
  /** Promotion: the flag's default becomes the on variant. */
  | { type: 'promoteFlag' };

export interface TransitionEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface Plan {
  status: RolloutStatus;
  /** Replica count for each revision that should exist; revisions not listed are left alone. */
  replicaTargets: ReplicaTarget[];
  /** Flag actions, executed first: the kill switch acts before any pod moves. */
  actions: Action[];
  /**
   * Routes and Services to put in place (traffic.gatewayAPI), after the flag and before
   * any ReplicaSet: weight leaves the canary before its pods do.
   */
  traffic?: TrafficTarget;
  /**
   * Replicas for the adopted Deployment itself, applied after the ReplicaSet targets, so
   * its pods are only taken away once the Rollout's pods serve in their place.
   */
  workloadReplicas?: number;
  events: TransitionEvent[];
  /** What happened to changes, for their Change resources; written before status, like every effect. */
  ledger: LedgerEntry[];
  /** Reconcile again after this many ms (timed pause, next measurement, scale-down). */
  requeueAfterMs?: number;
}
