import { ProvenanceAnnotations } from '../../api/index.js';
import type { RuleContext } from '../context.js';
import { templateAnnotations } from '../workload.js';

/**
 * A change sits behind a flag when it says so: its pod template names the flag that
 * guards its new code path (clairvoyance.dev/flag). A Rollout's spec.flag alone is not
 * enough: it is the lever, but only the change knows whether its code reads it. Whether
 * the flag exists, is off and matches spec.flag is checked at gating time.
 */
export function behindFlag(ctx: RuleContext): boolean {
  return (templateAnnotations(ctx.object)[ProvenanceAnnotations.flag] ?? '').trim() !== '';
}

export const FLAG_FIX = `annotate the pod template with ${ProvenanceAnnotations.flag}: <flag key> (the flag the Rollout's spec.flag drives)`;
