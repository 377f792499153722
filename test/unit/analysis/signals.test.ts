import { describe, expect, it } from 'vitest';
import type { QueryResult } from '../../../src/analysis/providers/provider.js';
import { judgeSignal, promLabelValue, signalQuery } from '../../../src/analysis/signals.js';
import type { SignalKind } from '../../../src/analysis/types.js';

const vec = (...values: number[]): QueryResult => ({ kind: 'vector', samples: values.map((value, i) => ({ labels: { pod: `p${i}` }, value })) });
const empty: QueryResult = { kind: 'vector', samples: [] };

describe('signalQuery', () => {
  it.each<[SignalKind, string]>([
    ['scraped', 'up{revision="abc"}'],
    ['requests', 'sum(rate(http_requests_total{revision="abc"}[30s]))'],
    ['logs', 'sum(rate(log_messages_total{revision="abc"}[30s]))'],
    ['traces', 'sum(rate(spans_exported_total{revision="abc"}[30s]))'],
    ['flagEvaluations', 'sum(rate(feature_flag_evaluations_total{revision="abc",key="new-checkout"}[30s]))'],
  ])('%s', (kind, query) => {
    expect(signalQuery(kind, 'abc', { flagKey: 'new-checkout' })).toBe(query);
  });

  it('takes label name, extra matchers and window', () => {
    expect(signalQuery('requests', 'abc', { revisionLabel: 'pod_template_hash', matchers: { namespace: 'shop' }, rateWindow: '1m' })).toBe(
      'sum(rate(http_requests_total{pod_template_hash="abc",namespace="shop"}[1m]))',
    );
  });

  it('escapes label values', () => {
    expect(promLabelValue('a"b\\c')).toBe('a\\"b\\\\c');
  });

  it('flagEvaluations needs a flag key', () => {
    expect(() => signalQuery('flagEvaluations', 'abc')).toThrow(/flag key/);
  });
});

describe('judgeSignal', () => {
  const early = { elapsedMs: 30_000, query: 'Q' };
  const late = { elapsedMs: 300_000, query: 'Q' };

  it.each<[SignalKind, QueryResult, typeof early, string, boolean]>([
    ['scraped', vec(1, 1), late, 'Successful', false],
    ['scraped', vec(1, 0), early, 'Failed', false],
    ['scraped', empty, early, 'Inconclusive', true],
    ['scraped', empty, late, 'Failed', false],
    ['scraped', vec(NaN), late, 'Inconclusive', false],
    ['requests', vec(3.2), late, 'Successful', false],
    ['requests', vec(0), early, 'Inconclusive', true],
    ['requests', vec(0), late, 'Failed', false],
    ['requests', empty, late, 'Failed', false],
    ['logs', empty, early, 'Inconclusive', true],
    ['traces', { kind: 'scalar', value: 1 }, late, 'Successful', false],
  ])('%s %j %j -> %s', (kind, result, ctx, phase, provisional) => {
    const r = judgeSignal(kind, result, ctx);
    expect(r.phase).toBe(phase);
    expect(r.provisional ?? false).toBe(provisional);
  });

  it('says which signal is missing', () => {
    expect(judgeSignal('traces', empty, { elapsedMs: 300_000, query: 'sum(rate(spans_exported_total{revision="abc"}[30s]))' }).message).toBe(
      'signal traces missing: the canary emits no trace telemetry (no series for sum(rate(spans_exported_total{revision="abc"}[30s]))) after 5m',
    );
    expect(judgeSignal('scraped', empty, late).message).toMatch(/^signal scraped missing: .*has not discovered the canary's targets/);
    expect(judgeSignal('scraped', vec(1, 0, 0), late).message).toBe('signal scraped failing: 2 of 3 canary targets down (up == 0)');
    expect(judgeSignal('requests', vec(0), late)).toMatchObject({ value: '0', message: expect.stringMatching(/request telemetry .*rate of Q is 0/) });
  });

  it('grace period is configurable', () => {
    expect(judgeSignal('scraped', empty, { ...early, graceMs: 10_000 }).phase).toBe('Failed');
  });
});
