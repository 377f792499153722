import { describe, expect, it } from 'vitest';
import { templateHash } from '../../../src/rollout/revision.js';
import { previousStable, templateOf } from '../../../src/rollout/undo.js';

describe('clairvoyance undo', () => {
  it('goes back to the revision the last promotion replaced', () => {
    const history = [
      { revision: 'r1', stableRevision: 'r0', endedAt: '2026-01-01T00:00:00Z', outcome: 'Promoted' as const },
      { revision: 'r3', stableRevision: 'r1', endedAt: '2026-01-02T00:00:00Z', outcome: 'RolledBack' as const },
      { revision: 'r2', stableRevision: 'r1', endedAt: '2026-01-03T00:00:00Z', outcome: 'Promoted' as const },
    ];
    expect(previousStable({ stableRevision: 'r2', history })).toBe('r1');
    expect(previousStable({ stableRevision: 'r9', history })).toBeUndefined();
  });

  it("rebuilds the Deployment template from the ReplicaSet's, and refuses one that no longer hashes to it", () => {
    const original = {
      metadata: { labels: { app: 'a' }, annotations: { 'clairvoyance.dev/origin': 'human' } },
      spec: { containers: [{ name: 'c', image: 'x:1' }] },
    };
    const revision = templateHash(original);
    const inRs = { ...original, metadata: { ...original.metadata, labels: { app: 'a', 'clairvoyance.dev/revision': revision } } };
    expect(templateOf(inRs, revision, 'clairvoyance.dev/revision')).toEqual(original);
    expect(() => templateOf({ ...inRs, spec: { containers: [{ name: 'c', image: 'x:2' }] } }, revision, 'clairvoyance.dev/revision')).toThrow(
      /no longer holds its template/,
    );
  });
});
