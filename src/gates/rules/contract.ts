import { ContractAnnotations, formatContract, parseContracts, type ContractRef, type ContractRule, type Workload } from '../../api/index.js';
import type { RuleContext, Violation } from '../context.js';
import { templateAnnotations, workloadKey } from '../workload.js';

const key = (r: ContractRef): string => formatContract(r);

// Parsed once per object: the audit and every admission scan the same cached workloads.
const parsed = new WeakMap<Workload, { provides: ContractRef[]; consumes: ContractRef[] }>();

function refs(d: Workload | undefined, which: 'provides' | 'consumes'): ContractRef[] {
  if (d === undefined) return [];
  let entry = parsed.get(d);
  if (entry === undefined) {
    const a = templateAnnotations(d);
    entry = { provides: parseContracts(a[ContractAnnotations.provides]).refs, consumes: parseContracts(a[ContractAnnotations.consumes]).refs };
    parsed.set(d, entry);
  }
  return entry[which];
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

interface ContractIndex {
  /** contract -> workloads consuming it. */
  consumers: Map<string, string[]>;
  /** contract -> workloads providing it. */
  providers: Map<string, string[]>;
}

// One index per workload list: a source that hands out the same array (a cache snapshot)
// pays for it once, not once per admission review.
const indexes = new WeakMap<readonly Workload[], ContractIndex>();

function indexOf(workloads: readonly Workload[]): ContractIndex {
  let index = indexes.get(workloads);
  if (index !== undefined) return index;
  index = { consumers: new Map(), providers: new Map() };
  const add = (m: Map<string, string[]>, k: string, w: string): void => {
    const list = m.get(k);
    if (list === undefined) m.set(k, [w]);
    else list.push(w);
  };
  for (const w of workloads) {
    const who = workloadKey(w);
    for (const r of refs(w, 'consumes')) add(index.consumers, key(r), who);
    for (const r of refs(w, 'provides')) add(index.providers, key(r), who);
  }
  indexes.set(workloads, index);
  return index;
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
  // The change's own stored revision is in the list too; it neither consumes from nor covers for itself.
  const self = workloadKey(ctx.object);
  const index = indexOf(ctx.workloads);
  const others = (m: Map<string, string[]>, k: string): string[] => (m.get(k) ?? []).filter((w) => w !== self);
  const consumed = new Map<string, string[]>();
  for (const [k, who] of index.consumers) {
    const rest = who.filter((w) => w !== self);
    if (rest.length > 0) consumed.set(k, rest);
  }
  for (const ref of dropped(ctx, consumed)) {
    const who = consumed.get(key(ref));
    if (who === undefined || others(index.providers, key(ref)).length > 0) continue;
    out.push({
      message: `drops ${key(ref)}, still consumed by ${[...who].sort().join(', ')}`,
      fix: `keep ${key(ref)} in ${ContractAnnotations.provides} until ${who.length === 1 ? 'that consumer moves' : 'those consumers move'} to a newer major`,
    });
  }
  return out;
}
