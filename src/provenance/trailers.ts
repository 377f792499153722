// Provenance from where it is recorded: commit trailers. Pure: commits in, the
// clairvoyance.dev/* pod-template annotations out.
import { ProvenanceAnnotations, type Origin } from '../api/index.js';

export interface Trailer {
  key: string;
  value: string;
}

export interface CommitInfo {
  sha: string;
  /** Author time, RFC 3339. */
  authoredAt: string;
  trailers: Trailer[];
}

/**
 * Coding agents as they sign Co-authored-by today (name or address). Matched
 * case-insensitively against the trailer's value; `--agent-pattern` adds more.
 */
export const DEFAULT_AGENT_PATTERNS: readonly string[] = [
  'claude',
  'noreply@anthropic\\.com',
  'copilot',
  'cursor',
  'codex',
  'devin',
  'aider',
  'gemini',
  'jules',
  'amazon q',
  'windsurf',
  'codeium',
  'openhands',
  'sweep',
  'tabnine',
  'cody',
];

export interface ProvenanceOptions {
  agentPatterns: readonly string[];
  /** Trailer holding the change-id, e.g. Change-Id (Gerrit's). */
  changeIdTrailer: string;
  /** What a Co-authored-by naming an agent means: the agent wrote it, or helped. */
  coAuthorOrigin: Extract<Origin, 'ai-generated' | 'ai-assisted'>;
  pullRequest?: string;
}

export const DEFAULT_CHANGE_ID_TRAILER = 'Change-Id';

/** `Key: value` lines as git prints them with %(trailers:only,unfold). */
export function parseTrailers(text: string): Trailer[] {
  const out: Trailer[] = [];
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9][A-Za-z0-9-]*):\s*(.*\S)\s*$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out.push({ key: m[1], value: m[2] });
  }
  return out;
}

interface Verdict {
  origin: Origin;
  generator?: string;
}

const RANK: Record<Origin, number> = { human: 0, 'ai-assisted': 1, 'ai-generated': 2 };

/** One commit's origin: Generated-by, then Assisted-by, then Co-authored-by naming an agent; human otherwise. */
export function commitOrigin(c: CommitInfo, opts: Pick<ProvenanceOptions, 'agentPatterns' | 'coAuthorOrigin'>): Verdict {
  const agents = opts.agentPatterns.map((p) => new RegExp(p, 'i'));
  const find = (key: string): Trailer[] => c.trailers.filter((t) => t.key.toLowerCase() === key.toLowerCase());
  const generated = find('Generated-by')[0];
  if (generated) return { origin: 'ai-generated', generator: generated.value };
  const assisted = find('Assisted-by')[0];
  const coAgent = find('Co-authored-by').find((t) => agents.some((a) => a.test(t.value)));
  const candidates: Verdict[] = [];
  if (assisted) candidates.push({ origin: 'ai-assisted', generator: assisted.value });
  if (coAgent) candidates.push({ origin: opts.coAuthorOrigin, generator: coAgent.value.replace(/\s*<[^>]*>\s*$/, '') });
  return candidates.sort((a, b) => RANK[b.origin] - RANK[a.origin])[0] ?? { origin: 'human' };
}

/**
 * The annotations for a change made of `commits` (newest first, as git log lists them):
 * the strongest origin among them, the newest commit, the earliest author time as the
 * start, and the change-id from the configured trailer (else the pull request).
 */
export function provenanceAnnotations(commits: readonly CommitInfo[], opts: ProvenanceOptions): Record<string, string> {
  const newest = commits[0];
  if (!newest) throw new Error('no commits to read provenance from');
  let best: Verdict = { origin: 'human' };
  for (const c of commits) {
    const v = commitOrigin(c, opts);
    if (RANK[v.origin] > RANK[best.origin]) best = v;
  }
  const earliest = commits.map((c) => c.authoredAt).reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
  const changeId = commits.flatMap((c) => c.trailers).find((t) => t.key.toLowerCase() === opts.changeIdTrailer.toLowerCase())?.value;
  const out: Record<string, string> = {
    [ProvenanceAnnotations.origin]: best.origin,
    [ProvenanceAnnotations.commit]: newest.sha,
    [ProvenanceAnnotations.authoredAt]: new Date(earliest).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  if (best.generator) out[ProvenanceAnnotations.generator] = best.generator;
  const id = changeId ?? (opts.pullRequest ? `pr-${opts.pullRequest}` : undefined);
  if (id) out[ProvenanceAnnotations.changeId] = id;
  if (opts.pullRequest) out[ProvenanceAnnotations.pullRequest] = opts.pullRequest;
  return out;
}
