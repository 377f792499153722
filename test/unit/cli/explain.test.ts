import { describe, expect, it } from 'vitest';
import { renderChange, renderExplanation } from '../../../src/cli/commands/explain.js';
import { applyChangeEvents, emptyChangeStatus } from '../../../src/ledger/fold.js';

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

  it('points from a Rollout to its Change, and shows a Change with its offsets from the start', () => {
    expect(renderExplanation({ metadata: { name: 'checkout', namespace: 'shop' }, status: { phase: 'Healthy', changes: { canary: 'chg-1-abc' } } })).toContain(
      'Change: chg-1-abc (clairvoyance explain change/chg-1-abc shows its timeline)',
    );
    const status = emptyChangeStatus();
    const spec = { rollout: 'checkout', changeId: 'CHG-1', origin: 'ai-generated' as const, stabilityWindow: '1h' };
    applyChangeEvents(
      status,
      [
        { type: 'Denied', at: '2026-03-01T10:00:00Z', revision: 'r1', rules: ['owner'] },
        { type: 'Admitted', at: '2026-03-01T10:05:00Z', revision: 'r2' },
        { type: 'GatesPassed', at: '2026-03-01T10:05:30Z', revision: 'r2' },
        { type: 'RolledBack', at: '2026-03-01T10:10:00Z', revision: 'r2', reason: 'AnalysisFailed' },
      ],
      spec,
    );
    const text = renderChange({ metadata: { name: 'chg-1-abc', namespace: 'shop' }, spec, status });
    expect(text).toContain('change shop/chg-1-abc (CHG-1) is RolledBack: origin ai-generated, Rollout checkout, stability window 1h');
    expect(text).toContain('attempts 1, denials 1, canaries 1, canary rollbacks 1, escaped failures 0');
    expect(text).toMatch(/2026-03-01T10:00:00Z \+0ms\s+Denied\s+revision r1; rules owner/);
    expect(text).toMatch(/\+10m\s+RolledBack\s+revision r2; AnalysisFailed/);
    expect(text).toMatch(/canary\s+4m30s/);
  });
});
