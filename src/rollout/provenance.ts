import { isOrigin, ProvenanceAnnotations, type Provenance } from '../api/index.js';

/** Provenance of a revision, read from its pod-template annotations. */
export function provenanceFrom(annotations: Record<string, string>): Provenance {
  const p: Provenance = {};
  const origin = annotations[ProvenanceAnnotations.origin];
  if (isOrigin(origin)) p.origin = origin;
  const copy = (field: Exclude<keyof typeof ProvenanceAnnotations, 'origin'>): void => {
    const value = annotations[ProvenanceAnnotations[field]];
    if (value) p[field] = value;
  };
  copy('generator');
  copy('changeId');
  copy('commit');
  copy('pullRequest');
  copy('reviewedBy');
  copy('flag');
  copy('authoredAt');
  copy('promptedAt');
  copy('fixes');
  return p;
}

/** A parseable authored-at becomes the start of the cycle; anything else is ignored. */
export function authoredAt(p: Provenance): string | undefined {
  if (!p.authoredAt) return undefined;
  const t = Date.parse(p.authoredAt);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}
