// What the rollout core decides: a desired status plus side effects, each in a field of
// its own type, carried out by the shell in the fixed order of EFFECT_ORDER: flag actions,
// traffic, ReplicaSets, the Deployment, the ledger, then status (and events, best-effort),
// so a failed effect is retried before progress is recorded.
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

/**
 * A plan. Its effects are numbered by EFFECT_ORDER: the executor (src/controller/execute-plan.ts)
 * runs 1-4, the reconciler 5-7 once the executor returned.
 */
export interface Plan {
  /** 1. Flag actions, executed first: the kill switch acts before any pod moves. */
  actions: Action[];
  /**
   * 2. Routes and Services to put in place (traffic.gatewayAPI), after the flag and before
   * any ReplicaSet: weight leaves the canary before its pods do.
   */
  traffic?: TrafficTarget;
  /** 3. Replica count for each revision that should exist; revisions not listed are left alone. */
  replicaTargets: ReplicaTarget[];
  /**
   * 4. Replicas for the adopted Deployment itself, applied after the ReplicaSet targets, so
   * its pods are only taken away once the Rollout's pods serve in their place.
   */
  workloadReplicas?: number;
  /** 5. What happened to changes, for their Change resources; written before status, like every effect. */
  ledger: LedgerEntry[];
  /** 6. The status to write, last of the effects that must succeed: progress is recorded once they did. */
  status: RolloutStatus;
  /** 7. Events, recorded after status, best-effort. */
  events: TransitionEvent[];
  /** Not an effect: reconcile again after this many ms (timed pause, next measurement, scale-down). */
  requeueAfterMs?: number;
}

/** The order in which the shell carries out a plan's effects. */
export const EFFECT_ORDER = [
  'actions',
  'traffic',
  'replicaTargets',
  'workloadReplicas',
  'ledger',
  'status',
  'events',
] as const satisfies readonly (keyof Plan)[];

export type Effect = (typeof EFFECT_ORDER)[number];

type None<T extends never> = T;
/** Every field of a plan is an effect with a place in the order, or the requeue hint: a field added without a place fails to compile here. */
export type UnorderedEffects = None<Exclude<keyof Plan, Effect | 'requeueAfterMs'>>;
