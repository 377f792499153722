import { describe, expect, it } from 'vitest';
import type { OriginFigures } from '../../../src/ledger/dora.js';
import { comparisonSentence, renderCsv, renderTable } from '../../../src/ledger/report.js';

const w = { since: new Date('2026-03-01T00:00:00Z'), until: new Date('2026-03-31T00:00:00Z') };
const empty = (origin: OriginFigures['origin']): OriginFigures => ({
  origin,
  changes: 0,
  deployments: 0,
  deploymentsPerDay: 0,
  leadTime: { count: 0 },
  recoveryTime: { count: 0 },
});
const figures: OriginFigures[] = [
  {
    ...empty('ai-generated'),
    changes: 6,
    deployments: 5,
    deploymentsPerDay: 5 / 30,
    leadTime: { count: 4, median: 1800, p90: 7200 },
    canaryFailureRate: 0.25,
    escapedFailureRate: 0.2,
    reworkRate: 0.4,
    downstreamShare: 0.7,
    cyclePerStableSeconds: 5400,
  },
  empty('ai-assisted'),
  {
    ...empty('human'),
    changes: 2,
    deployments: 2,
    deploymentsPerDay: 2 / 30,
    leadTime: { count: 2, median: 3600, p90: 3600 },
    canaryFailureRate: 0,
    escapedFailureRate: 0,
    reworkRate: 0,
    downstreamShare: 0.3,
    cyclePerStableSeconds: 3600,
  },
  empty('unannotated'),
];

describe('clairvoyance report', () => {
  it('ends with one plain sentence comparing generated with hand-written changes', () => {
    expect(comparisonSentence(figures, w)).toBe(
      'In the last 30d, generated changes reached stable slower than hand-written ones once rework and failures are counted: 1h30m per stable change against 1h.',
    );
    expect(comparisonSentence([empty('ai-generated'), empty('human')], w)).toBe(
      'In the last 30d no generated nor hand-written change reached stable, so there is nothing to compare yet.',
    );
  });

  it('puts the origins side by side', () => {
    const text = renderTable(figures, w, 'namespace shop');
    expect(text).toContain('Changes by origin, last 30d (namespace shop):');
    expect(text).toMatch(/lead time p50 \/ p90\s+30m \/ 2h \(n=4\)\s+-\s+1h \/ 1h \(n=2\)\s+-/);
    expect(text).toMatch(/failure rate: escaped\s+20%\s+-\s+0%/);
    expect(text.trim().split('\n').at(-1)).toMatch(/^In the last 30d, generated changes/);
  });

  it('writes one CSV row per origin, empty cells where a figure has no data', () => {
    const [header, gen, assisted] = renderCsv(figures).trim().split('\n');
    expect(header?.split(',')[0]).toBe('origin');
    expect(gen).toBe('ai-generated,6,5,0.166667,4,1800,7200,0.25,0.2,0,,,0.4,0.7,5400');
    expect(assisted).toBe('ai-assisted,0,0,0,0,,,,,0,,,,,');
  });
});
