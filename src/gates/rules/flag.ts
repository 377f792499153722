import { ProvenanceAnnotations } from '../../api/index.js';
import type { RuleContext } from '../context.js';
import { templateAnnotations } from '../workload.js';

/**
 * A change sits behind a flag when a governing Rollout names one (spec.flag) or the pod
 * template claims one (clairvoyance.dev/flag). Whether the flag exists and is off is the
 * flag store's check at gating time, not this one.
 */
export function behindFlag(ctx: RuleContext): boolean {
  if (ctx.rollouts.some((r) => r.spec.flag !== undefined)) return true;
  return (templateAnnotations(ctx.object)[ProvenanceAnnotations.flag] ?? '').trim() !== '';
}

export const FLAG_FIX = `set spec.flag on the Rollout or annotate the pod template with ${ProvenanceAnnotations.flag}: <flag key>`;
