import type { Enforcement, Finding, NamespaceObject, Origin, RolloutSpec, Workload } from '../api/index.js';

/** A Rollout as far as gates care: who it is and what it asks for. */
export interface GoverningRollout {
  name: string;
  namespace: string;
  spec: Pick<RolloutSpec, 'workloadRef' | 'gates' | 'flag'>;
}

/** The change under judgment and the cluster state around it. Plain data, no I/O. */
export interface ChangeContext {
  /** The Deployment as it would be stored. */
  object: Workload;
  /** The stored Deployment before this change (UPDATE admission only). */
  oldObject?: Workload | undefined;
  namespace: NamespaceObject | undefined;
  /** Rollouts whose workloadRef names this Deployment. */
  rollouts: GoverningRollout[];
  /** Every Deployment in the cluster, for downstream contracts. */
  workloads: readonly Workload[];
}

/** What one rule sees: the change plus the origin the policy resolved for it. */
export interface RuleContext extends ChangeContext {
  origin: Origin;
}

/** One thing a rule found wrong, before the policy's metadata is attached. */
export interface Violation {
  message: string;
  /** How to fix this particular violation; the rule's own `fix` takes precedence. */
  fix: string;
}

/** A compiled rule: a small pure function from context to findings. */
export type Rule = (ctx: RuleContext) => Finding[];

/** Where a finding comes from, stamped on each one. */
export interface RuleOrigin {
  ruleId: string;
  policy: string;
  enforcement: Enforcement;
  rationale?: string | undefined;
  reference?: string | undefined;
  fix?: string | undefined;
}
