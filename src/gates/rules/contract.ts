import { ContractAnnotations, formatContract, parseContracts, type ContractRef, type ContractRule, type Workload } from '../../api/index.js';
import type { RuleContext, Violation } from '../context.js';
import { templateAnnotations, workloadKey } from '../workload.js';

const key = (r: ContractRef): string => formatContract(r);

// Parsed once per object: the audit and every admission scan the same cached workloads.
interface ParsedContracts {
  provides: ContractRef[];
  consumes: ContractRef[];
  /** Malformed entries of the provides annotation. */
  invalid: string[];
}
const parsed = new WeakMap<Workload, ParsedContracts>();

function contractsOf(d: Workload): ParsedContracts {
  let entry = parsed.get(d);
  if (entry === undefined) {
    const a = templateAnnotations(d);
    const provides = parseContracts(a[ContractAnnotations.provides]);
    entry = { provides: provides.refs, consumes: parseContracts(a[ContractAnnotations.consumes]).refs, invalid: provides.invalid };
    parsed.set(d, entry);
  }
  return entry;
}

function refs(d: Workload | undefined, which: 'provides' | 'consumes'): ContractRef[] {
  return d === undefined ? [] : contractsOf(d)[which];
}

/**
 * Contracts this change stops providing: every entry the old revision provided that the
 * new one lacks, and, without an old revision to compare (the controller gates the stored
 * Deployment), every major of a contract the change still provides by name that a
 * workload consumes. Both catch "orders-api@v2 only, while someone consumes v1".
 */
function dropped(ctx: RuleContext, index: ContractIndex): ContractRef[] {
  const provided = refs(ctx.object, 'provides');
  const now = new Set(provided.map(key));
  const out = new Map<string, ContractRef>();
  for (const r of refs(ctx.oldObject, 'provides')) if (!now.has(key(r))) out.set(key(r), r);
  for (const name of new Set(provided.map((r) => r.name))) {
    for (const r of index.consumedByName.get(name) ?? []) if (!now.has(key(r))) out.set(key(r), r);
  }
  return [...out.values()];
}

interface ContractIndex {
  /** contract -> workloads consuming it. */
  consumers: Map<string, string[]>;
  /** contract -> workloads providing it. */
  providers: Map<string, string[]>;
  /** contract name -> each consumed major of it, once: a review looks up only the names it provides. */
  consumedByName: Map<string, ContractRef[]>;
}

// One index per workload list: a source that hands out the same array (a cache snapshot)
// pays for it once, not once per admission review.
const indexes = new WeakMap<readonly Workload[], ContractIndex>();

function indexOf(workloads: readonly Workload[]): ContractIndex {
  let index = indexes.get(workloads);
  if (index !== undefined) return index;
  index = { consumers: new Map(), providers: new Map(), consumedByName: new Map() };
  const add = <T>(m: Map<string, T[]>, k: string, v: T): void => {
    const list = m.get(k);
    if (list === undefined) m.set(k, [v]);
    else list.push(v);
  };
  for (const w of workloads) {
    const who = workloadKey(w);
    for (const r of refs(w, 'consumes')) {
      if (!index.consumers.has(key(r))) add(index.consumedByName, r.name, r);
      add(index.consumers, key(r), who);
    }
    for (const r of refs(w, 'provides')) add(index.providers, key(r), who);
  }
  indexes.set(workloads, index);
  return index;
}

/** A change may not drop a major version another workload in the cluster still consumes. */
export function checkContract(rule: ContractRule, ctx: RuleContext): Violation[] {
  const out: Violation[] = [];
  const { invalid } = contractsOf(ctx.object);
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
  for (const ref of dropped(ctx, index)) {
    const who = others(index.consumers, key(ref));
    if (who.length === 0 || others(index.providers, key(ref)).length > 0) continue;
    out.push({
      message: `drops ${key(ref)}, still consumed by ${[...who].sort().join(', ')}`,
      fix: `keep ${key(ref)} in ${ContractAnnotations.provides} until ${who.length === 1 ? 'that consumer moves' : 'those consumers move'} to a newer major`,
    });
  }
  return out;
}
