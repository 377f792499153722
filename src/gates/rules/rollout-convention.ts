import type { RolloutConventionRule } from '../../api/index.js';
import type { RuleContext, Violation } from '../context.js';
import { FLAG_FIX, behindFlag } from './flag.js';

/** How changes reach users: behind a flag, through a Rollout's canary. */
export function checkRolloutConvention(rule: RolloutConventionRule, ctx: RuleContext): Violation[] {
  const out: Violation[] = [];
  if (rule.requireFlag === true && !behindFlag(ctx)) {
    out.push({ message: `this ${ctx.origin} change is not behind a feature flag`, fix: FLAG_FIX });
  }
  if (rule.requireRollout === true && ctx.rollouts.length === 0) {
    const name = ctx.object.metadata?.name ?? '<name>';
    out.push({
      message: `no Rollout governs Deployment ${name}`,
      fix: `create a Rollout in this namespace with spec.workloadRef {kind: Deployment, name: ${name}}`,
    });
  }
  return out;
}
