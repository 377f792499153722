import {
  CONTEXT_POLICY_KIND,
  isOrigin,
  ProvenanceAnnotations,
  type ClusterContextPolicy,
  type ContextPolicy,
  type Finding,
  type Workload,
} from '../api/index.js';
import { chain, compileRule, findingFrom } from './chain.js';
import type { ChangeContext, GoverningRollout, Rule } from './context.js';
import { policyMatches, policyName, type AnyPolicy } from './match.js';
import { FLAG_FIX, behindFlag } from './rules/flag.js';
import { templateAnnotations } from './workload.js';

export interface PolicyEvaluationInput extends ChangeContext {
  /** ContextPolicies of the workload's namespace. */
  contextPolicies: readonly ContextPolicy[];
  clusterContextPolicies: readonly ClusterContextPolicy[];
}

// Compiled once per policy object: informer caches hand out the same object until it changes.
const compiled = new WeakMap<AnyPolicy, Rule>();

export function policyRule(p: AnyPolicy): Rule {
  let rule = compiled.get(p);
  if (rule === undefined) {
    const meta = { policy: policyName(p), enforcement: p.spec.enforcement ?? 'Enforce' };
    rule = chain((p.spec.rules ?? []).map((r) => compileRule(r, meta)));
    compiled.set(p, rule);
  }
  return rule;
}

/** Findings of one policy for one change, or none when the policy does not apply to it. */
export function evaluatePolicy(p: AnyPolicy, ctx: ChangeContext, named = false): Finding[] {
  const origin = policyMatches(p, ctx.object, ctx.namespace, named);
  return origin === undefined ? [] : policyRule(p)({ ...ctx, origin });
}

/** Policies a governing Rollout names in spec.gates.policies, found in the given lists. */
function namedPolicies(input: PolicyEvaluationInput): AnyPolicy[] {
  const out: AnyPolicy[] = [];
  for (const r of input.rollouts) {
    for (const ref of r.spec.gates?.policies ?? []) {
      const found =
        ref.kind === CONTEXT_POLICY_KIND
          ? input.contextPolicies.find((p) => p.metadata.name === ref.name && p.metadata.namespace === r.namespace)
          : input.clusterContextPolicies.find((p) => p.metadata.name === ref.name);
      if (found !== undefined) out.push(found);
    }
  }
  return out;
}

/** spec.gates.requireFlagFor of a governing Rollout, as a rule of that Rollout. */
export const REQUIRE_FLAG_RULE_ID = 'require-flag';

function requireFlagFindings(input: ChangeContext): Finding[] {
  const raw = templateAnnotations(input.object)[ProvenanceAnnotations.origin];
  // A Rollout has no defaultOrigin: an unannotated change counts as human, like policies' default.
  const origin = isOrigin(raw) ? raw : 'human';
  return input.rollouts.flatMap((r: GoverningRollout) => {
    if (!(r.spec.gates?.requireFlagFor ?? []).includes(origin) || behindFlag({ ...input, origin })) return [];
    return findingFrom(
      {
        ruleId: REQUIRE_FLAG_RULE_ID,
        policy: `Rollout/${r.namespace}/${r.name}`,
        enforcement: 'Enforce',
        rationale: `Rollout ${r.name} requires ${origin} changes to sit behind a feature flag (spec.gates.requireFlagFor), so the kill switch can turn the new code path off.`,
      },
      [{ message: `this ${origin} change is not behind a feature flag`, fix: FLAG_FIX }],
    );
  });
}

/**
 * Every finding for one change: matching ContextPolicies and ClusterContextPolicies,
 * policies named by governing Rollouts, and their requireFlagFor. The single evaluation
 * used by the admission webhook, the controller's gate and the background audit.
 */
export function evaluatePolicies(input: PolicyEvaluationInput): Finding[] {
  const namespace = input.object.metadata?.namespace ?? '';
  // Policy -> whether it is applied only because a Rollout names it.
  const selected = new Map<AnyPolicy, boolean>();
  const candidates: AnyPolicy[] = [...input.contextPolicies.filter((p) => p.metadata.namespace === namespace), ...input.clusterContextPolicies];
  for (const p of candidates) if (policyMatches(p, input.object, input.namespace) !== undefined) selected.set(p, false);
  for (const p of namedPolicies(input)) if (!selected.has(p)) selected.set(p, true);
  const findings: Finding[] = [];
  for (const [p, named] of selected) findings.push(...evaluatePolicy(p, input, named));
  findings.push(...requireFlagFindings(input));
  return findings;
}

/** Rollouts whose workloadRef names this Deployment. */
export function governingRollouts(
  d: Workload,
  rollouts: ReadonlyArray<{ metadata: { name?: string; namespace?: string }; spec: GoverningRollout['spec'] }>,
): GoverningRollout[] {
  const name = d.metadata?.name;
  return rollouts
    .filter((r) => name !== undefined && r.spec.workloadRef?.name === name && (r.spec.workloadRef.kind ?? 'Deployment') === 'Deployment')
    .map((r) => ({ name: r.metadata.name ?? '', namespace: r.metadata.namespace ?? d.metadata?.namespace ?? '', spec: r.spec }));
}

/** Enforce findings block; Warn and Audit findings are reported and pass. */
export function blocking(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.enforcement === 'Enforce');
}
