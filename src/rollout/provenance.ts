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

/** Time annotations that do not parse: reported (a webhook warning), never silently dropped. */
export function malformedTimeAnnotations(annotations: Record<string, string>): string[] {
  return [ProvenanceAnnotations.authoredAt, ProvenanceAnnotations.promptedAt].filter((key) => {
    const value = annotations[key];
    return value !== undefined && Number.isNaN(Date.parse(value));
  });
}
