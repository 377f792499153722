// A Rollout's status, parsed once into a type keyed by phase: each variant carries the
// fields its phase needs, so the planner never asserts that a revision or a step is there.
// The status itself (the CRD's shape) stays what is written; this is how the core reads it.
import type { RolloutStatus } from '../api/index.js';

/** No stable revision yet: the workload has not been adopted. */
export interface NotAdoptedState {
  phase: 'NotAdopted';
}

/** The stable revision serves everything; there is no canary. */
export interface HealthyState {
  phase: 'Healthy';
  stable: string;
}

/** The two revisions of a canary in flight or just ended. */
export interface CanaryPair {
  stable: string;
  canary: string;
}

/** A new revision being checked against its gates (Gating), or refused by them (Blocked). */
export interface GatingState extends CanaryPair {
  phase: 'Gating' | 'Blocked';
}

/** A canary walking its steps (Progressing), or waiting in one (Paused). */
export interface ProgressingState extends CanaryPair {
  phase: 'Progressing' | 'Paused';
  /** The step being run; at or past the last step, the canary is being promoted. */
  stepIndex: number;
  /** When the step started; absent in a status written before steps were timed, so it starts now. */
  stepStartedAt: string | undefined;
}

/** A canary rolled back (or a Rollout that lost its Deployment): stable serves, the canary drains. */
export interface DegradedState extends CanaryPair {
  phase: 'Degraded';
}

/** A revision past adoption and not (yet) stable: gated, walking its steps, or rolled back. */
export type InFlightState = GatingState | ProgressingState | DegradedState;

export type RolloutState = NotAdoptedState | HealthyState | InFlightState;

/**
 * A status read as its phase says, or, when it cannot be (hand-edited, or written by an
 * older version), the safe reading with the problem named: Healthy on the stable revision,
 * so a revision other than stable starts over from Gating. Without a stable revision there
 * is nothing to misread: the workload is adopted.
 */
export type ParsedStatus = { state: RolloutState; problem?: undefined } | { state: HealthyState; problem: string };

const nonEmpty = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

const isStepIndex = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Reads a status into its phase's variant; never throws, whatever the status holds. */
export function parseRolloutStatus(status: RolloutStatus): ParsedStatus {
  const stable = nonEmpty(status.stableRevision);
  if (stable === undefined) return { state: { phase: 'NotAdopted' } };
  const canary = nonEmpty(status.canaryRevision);
  const phase: unknown = status.phase;
  const unreadable = (problem: string): ParsedStatus => ({ state: { phase: 'Healthy', stable }, problem });
  switch (phase) {
    case 'Healthy':
      if (canary !== undefined && canary !== stable) return unreadable(`phase Healthy names canary ${canary} beside stable ${stable}`);
      return { state: { phase, stable } };
    case 'Gating':
    case 'Blocked':
    case 'Degraded':
      if (canary === undefined) return unreadable(`phase ${phase} without a canary revision`);
      return { state: { phase, stable, canary } };
    case 'Progressing':
    case 'Paused': {
      if (canary === undefined) return unreadable(`phase ${phase} without a canary revision`);
      const index: unknown = status.currentStepIndex ?? 0;
      if (!isStepIndex(index)) return unreadable(`phase ${phase} at step ${String(index)}, not a step index`);
      const startedAt = nonEmpty(status.stepStartedAt);
      if (startedAt !== undefined && Number.isNaN(Date.parse(startedAt))) return unreadable(`stepStartedAt ${startedAt} is not a time`);
      return { state: { phase, stable, canary, stepIndex: index, stepStartedAt: startedAt } };
    }
    case undefined:
      return canary === undefined || canary === stable ? { state: { phase: 'Healthy', stable } } : unreadable(`no phase, with canary ${canary}`);
    default:
      return unreadable(`unknown phase ${String(phase)}`);
  }
}

/** The canary revision a state names: none when not adopted, stable itself when Healthy. */
export function canaryOf(state: RolloutState): string | undefined {
  switch (state.phase) {
    case 'NotAdopted':
      return undefined;
    case 'Healthy':
      return state.stable;
    default:
      return state.canary;
  }
}
