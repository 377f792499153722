import { describe, expect, it } from 'vitest';
import { renderExplanation } from '../../../src/cli/commands/explain.js';

describe('clairvoyance explain', () => {
  it('lists the earlier canaries from status history with outcome, reason, origin and the analyses that ran', () => {
    const text = renderExplanation({
      metadata: { name: 'checkout', namespace: 'shop' },
      status: {
        phase: 'Healthy',
        history: [
          {
            revision: 'c1',
            endedAt: '2026-12-01T10:00:00Z',
            outcome: 'RolledBack',
            reason: 'AnalysisFailed',
            origin: 'ai-generated',
            analyses: [{ templates: [{ name: 'error-rate', clusterScope: false }], startedAt: '2026-12-01T09:59:00Z', phase: 'Failed', stepIndex: 1 }],
          },
          { revision: 'c2', endedAt: '2026-12-01T11:00:00Z', outcome: 'Promoted', reason: 'Promoted' },
        ],
      },
    });
    expect(text).toContain('Earlier canaries');
    expect(text).toContain('2026-12-01T10:00:00Z c1 RolledBack (AnalysisFailed), origin ai-generated: error-rate Failed');
    expect(text).toContain('2026-12-01T11:00:00Z c2 Promoted');
  });
});
