import { describe, expect, it } from 'vitest';
import { initialMetricStatus } from '../../../src/analysis/metric-run.js';
import { aggregateRun, newRunStatus, terminateRun, updateRunMetric } from '../../../src/analysis/run.js';
import type { AnalysisPhase, MetricSpec, MetricStatus } from '../../../src/analysis/types.js';

const m = (name: string, phase: AnalysisPhase, message?: string): MetricStatus => ({ ...initialMetricStatus(name), phase, ...(message ? { message } : {}) });
const now = new Date('2025-01-01T00:00:00Z');

describe('aggregateRun', () => {
  it.each<[AnalysisPhase[], AnalysisPhase]>([
    [['Successful', 'Successful'], 'Successful'],
    [['Successful', 'Running'], 'Running'],
    [['Pending', 'Pending'], 'Pending'],
    [['Pending', 'Successful'], 'Running'],
    [['Running', 'Inconclusive'], 'Inconclusive'],
    [['Inconclusive', 'Error'], 'Error'],
    [['Error', 'Failed', 'Running'], 'Failed'],
    [['Successful', 'Failed'], 'Failed'],
  ])('%j -> %s', (phases, expected) => {
    expect(aggregateRun(phases.map((p, i) => m(`m${i}`, p))).phase).toBe(expected);
  });

  it('names the deciding metric with its message', () => {
    const r = aggregateRun([
      m('latency', 'Successful'),
      m('error-rate', 'Failed', 'value 0.12 did not meet successCondition "result < 0.05"'),
      m('other', 'Failed'),
    ]);
    expect(r.message).toBe('metric "error-rate" failed: value 0.12 did not meet successCondition "result < 0.05" (and "other")');
  });

  it('has no success without metrics', () => {
    expect(aggregateRun([]).phase).toBe('Inconclusive');
  });
});

describe('run lifecycle', () => {
  const specs: MetricSpec[] = [
    { name: 'a', count: 1, provider: { prometheus: { query: 'q' } } },
    { name: 'b', provider: { prometheus: { query: 'q' } } },
  ];

  it('creates the status shape the controller writes', () => {
    expect(newRunStatus({ name: 'r1', templates: ['t'], stepIndex: 2, metrics: specs, now })).toEqual({
      name: 'r1',
      templates: ['t'],
      stepIndex: 2,
      phase: 'Pending',
      startedAt: now.toISOString(),
      message: 'waiting for the first measurement',
      metrics: [initialMetricStatus('a'), initialMetricStatus('b')],
    });
  });

  it('updates a metric, then terminates unbounded metrics', () => {
    let run = newRunStatus({ name: 'r1', templates: ['t'], metrics: specs, now });
    run = updateRunMetric(run, { ...m('a', 'Successful'), count: 1, successful: 1 });
    run = updateRunMetric(run, { ...m('b', 'Running'), count: 3, successful: 3 });
    expect(run.phase).toBe('Running');
    run = terminateRun(run, specs);
    expect(run.phase).toBe('Successful');
    expect(run.message).toBe('all 2 metrics successful');
    expect(updateRunMetric(run, m('a', 'Failed'))).toBe(run);
  });
});
