import { describe, expect, it } from 'vitest';
import { renderProvenance } from '../../../src/provenance/render.js';
import { DEFAULT_AGENT_PATTERNS, commitOrigin, parseTrailers, provenanceAnnotations, type CommitInfo } from '../../../src/provenance/trailers.js';

const opts = { agentPatterns: DEFAULT_AGENT_PATTERNS, changeIdTrailer: 'Change-Id', coAuthorOrigin: 'ai-generated' as const };
const commit = (trailers: string, over: Partial<CommitInfo> = {}): CommitInfo => ({
  sha: 'a'.repeat(40),
  authoredAt: '2026-03-01T10:00:00+01:00',
  trailers: parseTrailers(trailers),
  ...over,
});

describe('provenance from commit trailers', () => {
  it.each([
    ['Generated-by: Claude Code 2.1', 'ai-generated', 'Claude Code 2.1'],
    ['Assisted-by: GitHub Copilot', 'ai-assisted', 'GitHub Copilot'],
    ['Co-authored-by: Claude <noreply@anthropic.com>', 'ai-generated', 'Claude'],
    ['Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>', 'ai-generated', 'Copilot'],
    ['Co-authored-by: Jane Doe <jane@example.com>', 'human', undefined],
    ['Signed-off-by: Jane Doe <jane@example.com>', 'human', undefined],
    ['', 'human', undefined],
  ])('%j -> %s', (trailers, origin, generator) => {
    expect(commitOrigin(commit(trailers), opts)).toEqual({ origin, ...(generator ? { generator } : {}) });
  });

  it('reads trailer keys case-insensitively and honours configured agents and the co-author origin', () => {
    expect(commitOrigin(commit('co-authored-by: RoboDev <bot@corp.example>'), opts).origin).toBe('human');
    expect(commitOrigin(commit('co-authored-by: RoboDev <bot@corp.example>'), { ...opts, agentPatterns: ['robodev'] }).origin).toBe('ai-generated');
    expect(commitOrigin(commit('Co-authored-by: Cursor Agent <cursoragent@cursor.com>'), { ...opts, coAuthorOrigin: 'ai-assisted' }).origin).toBe(
      'ai-assisted',
    );
  });

  it('for a range: the strongest origin, the newest commit, the earliest author time, the change-id trailer or the pull request', () => {
    const commits = [
      commit('Change-Id: I1234', { sha: 'b'.repeat(40), authoredAt: '2026-03-02T09:00:00Z' }),
      commit('Assisted-by: Gemini', { authoredAt: '2026-03-01T08:30:00Z' }),
    ];
    expect(provenanceAnnotations(commits, { ...opts, pullRequest: '42' })).toEqual({
      'clairvoyance.dev/origin': 'ai-assisted',
      'clairvoyance.dev/generator': 'Gemini',
      'clairvoyance.dev/commit': 'b'.repeat(40),
      'clairvoyance.dev/authored-at': '2026-03-01T08:30:00Z',
      'clairvoyance.dev/change-id': 'I1234',
      'clairvoyance.dev/pull-request': '42',
    });
    expect(provenanceAnnotations([commit('')], { ...opts, pullRequest: '7' })['clairvoyance.dev/change-id']).toBe('pr-7');
  });

  it('renders annotations, a merge patch and a kustomize component', () => {
    const a = { 'clairvoyance.dev/origin': 'human' };
    expect(renderProvenance(a, 'annotations')).toBe('clairvoyance.dev/origin: human\n');
    expect(JSON.parse(renderProvenance(a, 'patch'))).toEqual({ spec: { template: { metadata: { annotations: a } } } });
    expect(renderProvenance(a, 'kustomize')).toContain('kind: Component');
  });
});
