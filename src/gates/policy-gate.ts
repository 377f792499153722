import type { Rollout } from '../api/index.js';
import type { GateEvaluator, GateInput } from '../rollout/seams.js';
import type { GateVerdict } from '../rollout/observed.js';
import { blocking, evaluatePolicies, governingRollouts } from './evaluate.js';
import type { PolicySource } from './policy-source.js';

/**
 * The controller's policy gate: re-checks the adopted Deployment's revision against the
 * policies and contracts as the cluster stands now (a consumer may have appeared since
 * admission). Only Enforce findings block.
 */
export class PolicyGateEvaluator implements GateEvaluator {
  constructor(private readonly source: PolicySource) {}

  evaluate(input: GateInput): Promise<GateVerdict> {
    const namespace = input.rollout.namespace;
    const deployment = {
      ...input.deployment,
      metadata: { ...input.deployment.metadata, namespace: input.deployment.metadata?.namespace ?? namespace },
    };
    // The Rollout being reconciled governs the Deployment even if the cache lags behind it.
    const self: Rollout = {
      apiVersion: 'clairvoyance.dev/v1alpha1',
      kind: 'Rollout',
      metadata: { name: input.rollout.name, namespace, uid: input.rollout.uid },
      spec: input.spec,
    };
    const others = this.source.rolloutsOf(namespace, input.spec.workloadRef.name).filter((r) => r.metadata.name !== input.rollout.name);
    const findings = evaluatePolicies({
      object: deployment,
      namespace: input.namespace,
      rollouts: governingRollouts(deployment, [self, ...others]),
      workloads: this.source.workloads(),
      contextPolicies: this.source.contextPolicies(namespace),
      clusterContextPolicies: this.source.clusterContextPolicies(),
    });
    const blockers = blocking(findings);
    const verdict: GateVerdict = { passed: blockers.length === 0, findings };
    if (blockers.length > 0) verdict.message = `blocked by ${blockers.map((f) => `${f.policy}#${f.ruleId}`).join(', ')}`;
    return Promise.resolve(verdict);
  }
}
