import type { V1Deployment } from '@kubernetes/client-node';
import { ContractAnnotations, formatContract, parseContracts, type ContractRef, type ContractRule } from '../../api/index.js';
import type { RuleContext, Violation } from '../context.js';
import { templateAnnotations, workloadKey } from '../workload.js';

const key = (r: ContractRef): string => formatContract(r);

function refs(d: V1Deployment | undefined, which: 'provides' | 'consumes'): ContractRef[] {
  return parseContracts(templateAnnotations(d)[ContractAnnotations[which]]).refs;
}

/**
 * Contracts this change stops providing: every entry the old revision provided that the
 * new one lacks, and, without an old revision to compare (the controller gates the stored
 * Deployment), every major of a contract the change still provides by name that a
 * consumer needs. Both catch "orders-api@v2 only, while someone consumes v1".
 */
function dropped(ctx: RuleContext, consumed: ReadonlyMap<string, string[]>): ContractRef[] {
  const now = new Set(refs(ctx.object, 'provides').map(key));
  const out = new Map<string, ContractRef>();
  for (const r of refs(ctx.oldObject, 'provides')) if (!now.has(key(r))) out.set(key(r), r);
  const namesNow = new Set(refs(ctx.object, 'provides').map((r) => r.name));
  for (const k of consumed.keys()) {
    const ref = parseContracts(k).refs[0];
    if (ref !== undefined && namesNow.has(ref.name) && !now.has(k)) out.set(k, ref);
  }
  return [...out.values()];
}

/** A change may not drop a major version another workload in the cluster still consumes. */
export function checkContract(rule: ContractRule, ctx: RuleContext): Violation[] {
  const out: Violation[] = [];
  const invalid = parseContracts(templateAnnotations(ctx.object)[ContractAnnotations.provides]).invalid;
  if (invalid.length > 0) {
    out.push({
      message: `${ContractAnnotations.provides} has malformed entries: ${invalid.join(', ')}`,
      fix: 'write each entry as name@vN, comma-separated, e.g. orders-api@v2',
    });
  }
  if (rule.protectConsumers === false) return out;
  const self = workloadKey(ctx.object);
  const others = ctx.workloads.filter((w) => workloadKey(w) !== self);
  // Who consumes each contract, and which contracts someone else still provides.
  const consumers = new Map<string, string[]>();
  const providedElsewhere = new Set<string>();
  for (const w of others) {
    for (const r of refs(w, 'consumes')) consumers.set(key(r), [...(consumers.get(key(r)) ?? []), workloadKey(w)]);
    for (const r of refs(w, 'provides')) providedElsewhere.add(key(r));
  }
  for (const ref of dropped(ctx, consumers)) {
    const who = consumers.get(key(ref));
    if (who === undefined || providedElsewhere.has(key(ref))) continue;
    out.push({
      message: `drops ${key(ref)}, still consumed by ${who.sort().join(', ')}`,
      fix: `keep ${key(ref)} in ${ContractAnnotations.provides} until ${who.length === 1 ? 'that consumer moves' : 'those consumers move'} to a newer major`,
    });
  }
  return out;
}
