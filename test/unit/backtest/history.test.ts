import { describe, expect, it } from 'vitest';
import { CANARY_HISTORY_LIMIT, type RolloutSpec, type RolloutStatus } from '../../../src/api/index.js';
import { recordCanaryEnd } from '../../../src/rollout/history.js';

const spec = {
  strategy: {
    canary: {
      steps: [
        { setWeight: 25 },
        { analysis: { templates: [{ name: 'observability', clusterScope: false }] } },
        { setWeight: 50 },
        { analysis: { templates: [{ name: 'error-rate', clusterScope: false }], args: [{ name: 'svc', value: 'checkout' }] } },
      ],
    },
  },
  analysis: { templates: [{ name: 'latency', clusterScope: true }] },
} as unknown as Pick<RolloutSpec, 'strategy' | 'analysis'>;

const run = (name: string, startedAt: string, phase: 'Successful' | 'Failed') => ({ name, templates: [], phase, startedAt, metrics: [] });

describe('canary history in status', () => {
  it('records the window, outcome and the analyses that ran with their start and live verdict', () => {
    const status: RolloutStatus = {
      canaryRevision: 'c2',
      stableRevision: 's1',
      provenance: { origin: 'ai-generated' },
      cycle: { canaryStartedAt: '2026-12-01T10:00:00.000Z' },
      analysisRuns: [
        run('step-1', '2026-12-01T10:00:05.000Z', 'Successful'),
        run('step-3', '2026-12-01T10:01:00.000Z', 'Failed'),
        run('background', '2026-12-01T10:00:01.000Z', 'Successful'),
      ],
    };
    recordCanaryEnd(status, spec, { outcome: 'RolledBack', reason: 'AnalysisFailed', at: '2026-12-01T10:01:02.000Z', stableRevision: 's1' });
    expect(status.history).toEqual([
      {
        revision: 'c2',
        stableRevision: 's1',
        canaryStartedAt: '2026-12-01T10:00:00.000Z',
        analysisStartedAt: '2026-12-01T10:00:01.000Z',
        endedAt: '2026-12-01T10:01:02.000Z',
        outcome: 'RolledBack',
        reason: 'AnalysisFailed',
        origin: 'ai-generated',
        analyses: [
          { templates: [{ name: 'observability', clusterScope: false }], stepIndex: 1, startedAt: '2026-12-01T10:00:05.000Z', phase: 'Successful' },
          {
            templates: [{ name: 'error-rate', clusterScope: false }],
            args: [{ name: 'svc', value: 'checkout' }],
            stepIndex: 3,
            startedAt: '2026-12-01T10:01:00.000Z',
            phase: 'Failed',
          },
          { templates: [{ name: 'latency', clusterScope: true }], startedAt: '2026-12-01T10:00:01.000Z', phase: 'Successful' },
        ],
      },
    ]);
    // A repeat of the same end is not recorded twice.
    recordCanaryEnd(status, spec, { outcome: 'RolledBack', reason: 'AnalysisFailed', at: '2026-12-01T10:01:09.000Z', stableRevision: 's1' });
    expect(status.history).toHaveLength(1);
  });

  it('keeps the last CANARY_HISTORY_LIMIT records, oldest dropped', () => {
    const status: RolloutStatus = {};
    for (let i = 0; i < CANARY_HISTORY_LIMIT + 5; i++) {
      status.canaryRevision = `r${i}`;
      recordCanaryEnd(status, spec, { outcome: 'Promoted', reason: 'Promoted', at: new Date(Date.UTC(2026, 11, 1, 0, i)).toISOString() });
    }
    expect(status.history).toHaveLength(CANARY_HISTORY_LIMIT);
    expect(status.history?.[0]?.revision).toBe('r5');
    expect(status.history?.at(-1)?.revision).toBe(`r${CANARY_HISTORY_LIMIT + 4}`);
  });
});
