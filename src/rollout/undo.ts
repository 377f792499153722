// Which revision `clairvoyance undo` returns to, and the pod template that rebuilds it. Pure.
import type { PodTemplate, RolloutStatus } from '../api/index.js';
import { templateHash } from './revision.js';

/** The revision that was stable before the current one: what the last promotion replaced. */
export function previousStable(status: RolloutStatus): string | undefined {
  const last = (status.history ?? []).filter((h) => h.outcome === 'Promoted' && h.revision === status.stableRevision).at(-1);
  return last?.stableRevision;
}

/**
 * The Deployment template of `revision`, from its ReplicaSet's: the controller added only
 * the revision label, so without it the template hashes to the revision again (checked).
 */
export function templateOf<T extends PodTemplate>(rsTemplate: T, revision: string, revisionLabel: string): T {
  const copy = structuredClone(rsTemplate);
  const labels = { ...copy.metadata?.labels };
  delete labels[revisionLabel];
  const template = { ...copy, metadata: { ...copy.metadata, labels } };
  const hash = templateHash(template);
  if (hash !== revision) throw new Error(`the ReplicaSet of revision ${revision} no longer holds its template (it hashes to ${hash})`);
  return template;
}
