// The controller's seams: gates, analysis and flags plug in behind these small
// interfaces, so the reconciler never knows how a policy, a metric or a flag store works.
import type { AnalysisRunStatus, Finding, NamespaceObject, RolloutSpec, RolloutStatus, Workload } from '../api/index.js';
import type { GateVerdict } from './observed.js';
import type { AnalysisRequest } from './plan-rollout.js';

export interface RolloutIdentity {
  name: string;
  namespace: string;
  uid: string;
}

export interface GateInput {
  rollout: RolloutIdentity;
  spec: RolloutSpec;
  /** The adopted Deployment; its pod template is the revision under judgment. */
  deployment: Workload;
  revision: string;
  namespace: NamespaceObject | undefined;
  /** Aborted when the reconcile is (leadership lost, shutdown): no further evaluator runs. */
  signal?: AbortSignal;
  /** A fast rollback (rollback.window): only the policies' Enforce rules judge it. */
  fastRollback?: boolean;
}

/** Re-checks a revision against what needs live cluster state (policies, contracts, flags). */
export interface GateEvaluator {
  evaluate(input: GateInput): Promise<GateVerdict>;
}

/** Several evaluators in order; the verdict passes only if every one passes. */
export class GateChain implements GateEvaluator {
  constructor(private readonly evaluators: readonly GateEvaluator[]) {}

  async evaluate(input: GateInput): Promise<GateVerdict> {
    const findings: Finding[] = [];
    let passed = true;
    const messages: string[] = [];
    for (const evaluator of this.evaluators) {
      input.signal?.throwIfAborted();
      const verdict = await evaluator.evaluate(input);
      findings.push(...verdict.findings);
      if (!verdict.passed) {
        passed = false;
        if (verdict.message) messages.push(verdict.message);
      }
    }
    return { passed, findings, ...(messages.length ? { message: messages.join('; ') } : {}) };
  }
}

export interface AnalysisInput {
  rollout: RolloutIdentity;
  spec: RolloutSpec;
  status: RolloutStatus;
  requests: AnalysisRequest[];
  now: Date;
  /** Aborted when the reconcile is (leadership lost, shutdown): queries in flight are cancelled. */
  signal?: AbortSignal;
}

export interface AnalysisOutput {
  runs: AnalysisRunStatus[];
  /** When the next measurement is due, for requeueAfter. */
  requeueAfterMs?: number;
}

/** Advances the analysis runs the rollout core asked for: takes due measurements. */
export interface AnalysisRunner {
  advance(input: AnalysisInput): Promise<AnalysisOutput>;
}

export interface FlagTarget {
  rollout: RolloutIdentity;
  spec: RolloutSpec;
  /** Aborted once the lease is lost: a flag read before that is never written after it. */
  signal?: AbortSignal;
}

/** Drives the rollout's feature flag: a lever during the canary and the kill switch on rollback. */
export interface FlagDriver {
  /** Share of evaluations (0-100) that get the on variant. */
  setPercent(target: FlagTarget, percent: number): Promise<void>;
  /** Kill switch: default back to the off variant, targeting removed. */
  kill(target: FlagTarget): Promise<void>;
  /** Promotion: the on variant becomes the default. */
  promote(target: FlagTarget): Promise<void>;
}
