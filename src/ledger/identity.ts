// Which Change an event belongs to and what the Change is created with. Pure.
import type { ChangeEvent, ChangeSpecInput, Finding, Provenance } from '../api/index.js';
import { changeNameFor, changeNameForId } from './key.js';

export interface ChangeTarget {
  name: string;
  spec: ChangeSpecInput;
  /** Only add to an existing Change (a declared fix names a change that may not be ours). */
  mustExist?: boolean;
}

export interface LedgerEntry {
  change: ChangeTarget;
  event: ChangeEvent;
}

const validTime = (t: string | undefined): string | undefined => {
  if (!t) return undefined;
  const v = Date.parse(t);
  return Number.isNaN(v) ? undefined : new Date(v).toISOString();
};

export function changeTarget(rollout: string, revision: string, p: Provenance, opts: { workload?: string; stabilityWindow?: string } = {}): ChangeTarget {
  const spec: ChangeSpecInput = {
    rollout,
    origin: p.origin ?? 'unannotated',
    ...(opts.workload ? { workload: opts.workload } : {}),
    ...(p.changeId ? { changeId: p.changeId } : { revision }),
    ...(p.generator ? { generator: p.generator } : {}),
    ...(p.commit ? { commit: p.commit } : {}),
    ...(p.pullRequest ? { pullRequest: p.pullRequest } : {}),
    ...(p.fixes ? { fixes: p.fixes } : {}),
    ...(opts.stabilityWindow ? { stabilityWindow: opts.stabilityWindow } : {}),
  };
  return { name: changeNameFor({ changeId: p.changeId, rollout, revision }), spec };
}

/** The start of a change as annotated: authored-at and prompted-at (the earliest wins). */
export function startEvents(target: ChangeTarget, p: Provenance): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  const authored = validTime(p.authoredAt);
  const prompted = validTime(p.promptedAt);
  // No revision: every revision of the change carries the same start.
  if (authored) out.push({ change: target, event: { type: 'Authored', at: authored } });
  if (prompted) out.push({ change: target, event: { type: 'Prompted', at: prompted } });
  return out;
}

/** A later change declaring `clairvoyance.dev/fixes: <id>`: the fixed change is told, if it exists. */
export function fixEntry(fixedId: string, by: string, rollout: string, at: string): LedgerEntry {
  return {
    change: { name: changeNameForId(fixedId), spec: { rollout, changeId: fixedId }, mustExist: true },
    event: { type: 'FixDeclared', at, reason: by },
  };
}

/** An apply refused by the admission webhook, on the Change of each Rollout governing the Deployment. */
export function denialEntries(input: {
  rollouts: { name: string; stabilityWindow?: string }[];
  workload: string;
  revision: string;
  provenance: Provenance;
  findings: Finding[];
  at: string;
}): LedgerEntry[] {
  const rules = [...new Set(input.findings.map((f) => f.ruleId))].slice(0, 20);
  return input.rollouts.flatMap((r) => {
    const target = changeTarget(r.name, input.revision, input.provenance, {
      workload: input.workload,
      ...(r.stabilityWindow ? { stabilityWindow: r.stabilityWindow } : {}),
    });
    return [...startEvents(target, input.provenance), { change: target, event: { type: 'Denied' as const, at: input.at, revision: input.revision, rules } }];
  });
}
