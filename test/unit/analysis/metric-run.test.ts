import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MEASUREMENT_HISTORY_LIMIT } from '../../../src/analysis/defaults.js';
import { applyMeasurement, assessMetric, initialMetricStatus, isTerminal, nextMeasurementDue, terminateMetric } from '../../../src/analysis/metric-run.js';
import type { MeasurementPhase, MeasurementResult, MetricSpec, MetricStatus } from '../../../src/analysis/types.js';

const T0 = new Date('2025-01-01T00:00:00Z');
const at = (s: number): Date => new Date(T0.getTime() + s * 1000);

const base: MetricSpec = { name: 'error-rate', interval: '30s', successCondition: 'result < 0.05', provider: { prometheus: { query: 'q' } } };

function run(metric: MetricSpec, results: (MeasurementPhase | MeasurementResult)[], background = false): MetricStatus {
  let status: MetricStatus | undefined;
  results.forEach((r, i) => {
    const result: MeasurementResult = typeof r === 'string' ? { phase: r, value: '0.1', message: `${r.toLowerCase()} #${i}` } : r;
    status = applyMeasurement(metric, status, result, { startedAt: at(i * 30), finishedAt: at(i * 30 + 1) }, { background });
  });
  return status ?? initialMetricStatus(metric.name);
}

describe('applyMeasurement', () => {
  it.each<[string, Partial<MetricSpec>, MeasurementPhase[], string]>([
    ['running until count', { count: 3 }, ['Successful', 'Successful'], 'Running'],
    ['successful at count', { count: 3 }, ['Successful', 'Successful', 'Successful'], 'Successful'],
    ['failed beyond failureLimit 0', { count: 3 }, ['Failed'], 'Failed'],
    ['tolerates failures within limit', { count: 3, failureLimit: 1 }, ['Failed', 'Successful', 'Successful'], 'Successful'],
    ['fails beyond limit', { count: 5, failureLimit: 1 }, ['Failed', 'Successful', 'Failed'], 'Failed'],
    ['inconclusive beyond inconclusiveLimit 0', { count: 3 }, ['Inconclusive'], 'Inconclusive'],
    ['inconclusive within limit', { count: 3, inconclusiveLimit: 1 }, ['Inconclusive', 'Successful'], 'Running'],
    ['errors do not advance count', { count: 2 }, ['Successful', 'Error', 'Error', 'Successful'], 'Successful'],
    ['error beyond consecutiveErrorLimit 4', { count: 10 }, ['Error', 'Error', 'Error', 'Error', 'Error'], 'Error'],
    ['4 consecutive errors still running', { count: 10 }, ['Error', 'Error', 'Error', 'Error'], 'Running'],
    ['a success resets consecutive errors', { count: 10, consecutiveErrorLimit: 1 }, ['Error', 'Successful', 'Error', 'Successful'], 'Running'],
    ['consecutiveErrorLimit 0', { count: 10, consecutiveErrorLimit: 0 }, ['Error'], 'Error'],
    ['negative failureLimit is unlimited', { count: 3, failureLimit: -1 }, ['Failed', 'Failed', 'Successful'], 'Successful'],
    ['count reached without any success is inconclusive', { count: 2, failureLimit: 5 }, ['Failed', 'Failed'], 'Inconclusive'],
    ['count reached on inconclusive data only is inconclusive', { count: 2, inconclusiveLimit: 5 }, ['Inconclusive', 'Inconclusive'], 'Inconclusive'],
    ['no count in a step analysis takes one measurement', {}, ['Successful'], 'Successful'],
  ])('%s', (_name, over, phases, expected) => {
    expect(run({ ...base, ...over }, phases).phase).toBe(expected);
  });

  it('no count in background analysis runs until terminated', () => {
    expect(run(base, Array<MeasurementPhase>(20).fill('Successful'), true).phase).toBe('Running');
    expect(run(base, ['Successful', 'Failed'], true).phase).toBe('Failed');
  });

  it('counts and keeps bounded history', () => {
    const s = run({ ...base, count: 30, failureLimit: 10, inconclusiveLimit: 10, consecutiveErrorLimit: 10 }, [
      'Successful',
      'Failed',
      'Inconclusive',
      'Error',
      'Successful',
      'Successful',
      'Error',
      'Successful',
      'Successful',
      'Successful',
      'Successful',
      'Successful',
    ]);
    expect(s).toMatchObject({ count: 10, successful: 8, failed: 1, inconclusive: 1, error: 2, consecutiveErrors: 0, phase: 'Running' });
    expect(s.measurements).toHaveLength(MEASUREMENT_HISTORY_LIMIT);
    expect(s.measurements[0]?.message).toBe('inconclusive #2');
    expect(s.measurements.at(-1)).toEqual({
      phase: 'Successful',
      value: '0.1',
      message: 'successful #11',
      startedAt: at(330).toISOString(),
      finishedAt: at(331).toISOString(),
    });
  });

  it('names the value and condition when the metric fails', () => {
    const s = run({ ...base, count: 3 }, [{ phase: 'Failed', value: '0.12', message: 'value 0.12 did not meet successCondition "result < 0.05"' }]);
    expect(s.phase).toBe('Failed');
    expect(s.message).toBe('1 failed measurement exceed failureLimit 0; last: value 0.12 did not meet successCondition "result < 0.05"');
  });

  it('a critical failure fails at once, whatever the failureLimit', () => {
    const s = run({ ...base, count: 5, failureLimit: 3 }, [{ phase: 'Failed', critical: true, message: 'canary 3x stable' }]);
    expect(s.phase).toBe('Failed');
    expect(s.message).toBe('critical metric failed: canary 3x stable');
  });

  it('provisional measurements are kept but not counted', () => {
    const s = run({ ...base, count: 1 }, [
      { phase: 'Inconclusive', provisional: true, message: 'not yet' },
      { phase: 'Inconclusive', provisional: true },
    ]);
    expect(s).toMatchObject({ phase: 'Running', count: 0, inconclusive: 0 });
    expect(s.measurements).toHaveLength(2);
    expect(run({ ...base, count: 1 }, [{ phase: 'Inconclusive', provisional: true }, 'Successful']).phase).toBe('Successful');
  });

  it('ignores measurements after a terminal phase', () => {
    const failed = run({ ...base, count: 3 }, ['Failed']);
    expect(applyMeasurement(base, failed, { phase: 'Successful' }, { startedAt: at(100), finishedAt: at(101) })).toBe(failed);
  });
});

describe('assessMetric', () => {
  it('checks failed, then inconclusive, then errors', () => {
    const status: MetricStatus = { ...initialMetricStatus('m'), phase: 'Running', count: 2, failed: 1, inconclusive: 1, error: 5, consecutiveErrors: 5 };
    expect(assessMetric({ ...base, count: 9 }, status).phase).toBe('Failed');
    expect(assessMetric({ ...base, count: 9, failureLimit: 1 }, status).phase).toBe('Inconclusive');
    expect(assessMetric({ ...base, count: 9, failureLimit: 1, inconclusiveLimit: 1 }, status).phase).toBe('Error');
  });
});

describe('terminateMetric', () => {
  it.each<[string, Partial<MetricSpec>, MeasurementPhase[], string]>([
    ['no count, all good', {}, ['Successful', 'Successful'], 'Successful'],
    ['no count, never measured', {}, [], 'Inconclusive'],
    ['no count, only provisional-free inconclusive within limit', { inconclusiveLimit: 3 }, ['Inconclusive'], 'Inconclusive'],
    ['no count, failure within limit', { failureLimit: 1 }, ['Failed', 'Successful'], 'Successful'],
    ['count not reached, good so far', { count: 5 }, ['Successful'], 'Successful'],
  ])('%s', (_n, over, phases, expected) => {
    const metric = { ...base, ...over };
    expect(terminateMetric(metric, phases.length ? run(metric, phases, true) : undefined, { background: true }).phase).toBe(expected);
  });

  it('leaves terminal metrics alone', () => {
    const failed = run({ ...base, count: 2 }, ['Failed']);
    expect(terminateMetric(base, failed)).toBe(failed);
  });
});

describe('nextMeasurementDue', () => {
  const metric: MetricSpec = { ...base, count: 5, interval: '1m', initialDelay: '30s' };
  it('honors initialDelay from the run start', () => {
    expect(nextMeasurementDue(metric, undefined, at(10), T0)).toEqual({ due: false, at: at(30), delayMs: 20_000 });
    expect(nextMeasurementDue(metric, initialMetricStatus('m'), at(31), T0)?.due).toBe(true);
  });

  it('waits interval after the last measurement finished', () => {
    const s = applyMeasurement(metric, undefined, { phase: 'Successful' }, { startedAt: at(30), finishedAt: at(31) });
    expect(nextMeasurementDue(metric, s, at(60), T0)).toEqual({ due: false, at: at(91), delayMs: 31_000 });
    expect(nextMeasurementDue(metric, s, at(100), T0)?.delayMs).toBe(0);
  });

  it('retries errors sooner', () => {
    const s = applyMeasurement(metric, undefined, { phase: 'Error' }, { startedAt: at(30), finishedAt: at(31) });
    expect(nextMeasurementDue(metric, s, at(31), T0)?.at).toEqual(at(41));
  });

  it('is undefined once the metric is done', () => {
    const s = applyMeasurement({ ...metric, count: 1 }, undefined, { phase: 'Successful' }, { startedAt: at(30), finishedAt: at(31) });
    expect(nextMeasurementDue(metric, s, at(100), T0)).toBeUndefined();
  });
});

describe('metric state machine invariants', () => {
  const phaseArb = fc.constantFrom<MeasurementPhase>('Successful', 'Failed', 'Inconclusive', 'Error');
  const resultArb: fc.Arbitrary<MeasurementResult> = fc.record({ phase: phaseArb, critical: fc.boolean() }).map((r) => ({
    phase: r.phase,
    ...(r.critical && r.phase === 'Failed' ? { critical: true } : {}),
  }));
  const specArb = fc.record({
    count: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
    failureLimit: fc.integer({ min: -1, max: 4 }),
    inconclusiveLimit: fc.integer({ min: -1, max: 4 }),
    consecutiveErrorLimit: fc.integer({ min: 0, max: 4 }),
  });
  const provisionalArb = fc.array(fc.boolean(), { minLength: 40, maxLength: 40 });

  it('counts add up, history is bounded, verdicts respect limits', () => {
    fc.assert(
      fc.property(
        specArb,
        fc.array(resultArb, { maxLength: 40 }),
        provisionalArb,
        fc.boolean(),
        fc.boolean(),
        (over, results, provisional, terminate, background) => {
          const metric: MetricSpec = { ...base, ...over };
          let status: MetricStatus = initialMetricStatus(metric.name);
          let applied = 0;
          results.forEach((r, i) => {
            const before = status;
            const result = provisional[i] ? { ...r, phase: 'Inconclusive' as const, provisional: true } : r;
            status = applyMeasurement(metric, status, result, { startedAt: at(i), finishedAt: at(i) }, { background });
            if (!isTerminal(before.phase)) applied++;
            else expect(status).toBe(before);
          });
          if (terminate) status = terminateMetric(metric, status, { background });
          const effectiveCount = metric.count ?? (background ? undefined : 1);

          expect(status.count).toBe(status.successful + status.failed + status.inconclusive);
          expect(status.measurements.length).toBeLessThanOrEqual(MEASUREMENT_HISTORY_LIMIT);
          expect(status.measurements.length).toBe(Math.min(applied, MEASUREMENT_HISTORY_LIMIT));
          expect(status.consecutiveErrors).toBeLessThanOrEqual(status.error);
          if (status.phase === 'Successful') {
            expect(status.successful).toBeGreaterThan(0);
            if (metric.failureLimit !== undefined && metric.failureLimit >= 0) expect(status.failed).toBeLessThanOrEqual(metric.failureLimit);
            if (metric.inconclusiveLimit !== undefined && metric.inconclusiveLimit >= 0)
              expect(status.inconclusive).toBeLessThanOrEqual(metric.inconclusiveLimit);
            if (effectiveCount !== undefined && !terminate) expect(status.count).toBeGreaterThanOrEqual(effectiveCount);
          }
          if (status.phase === 'Running' && effectiveCount !== undefined) expect(status.count).toBeLessThan(effectiveCount);
          if (effectiveCount !== undefined && status.count >= effectiveCount) expect(isTerminal(status.phase)).toBe(true);
          if (terminate) expect(isTerminal(status.phase)).toBe(true);
        },
      ),
      { numRuns: 2000, seed: 42 },
    );
  });

  it('is never Successful on inconclusive data alone', () => {
    fc.assert(
      fc.property(specArb, fc.array(fc.constantFrom<MeasurementPhase>('Inconclusive', 'Error'), { maxLength: 30 }), (over, phases) => {
        const metric: MetricSpec = { ...base, ...over, inconclusiveLimit: -1, consecutiveErrorLimit: 100 };
        let status: MetricStatus | undefined;
        phases.forEach((phase, i) => (status = applyMeasurement(metric, status, { phase }, { startedAt: at(i), finishedAt: at(i) }, { background: true })));
        expect(terminateMetric(metric, status, { background: true }).phase).not.toBe('Successful');
      }),
      { numRuns: 1000, seed: 7 },
    );
  });
});

describe('unusable providers', () => {
  it('a configuration error fails the metric at once, naming the field, without waiting out consecutiveErrorLimit', async () => {
    const { measurementFromError } = await import('../../../src/analysis/measurement.js');
    const { ProviderError } = await import('../../../src/analysis/providers/provider.js');
    const { providerFor } = await import('../../../src/analysis/measure.js');
    const { ProviderFactory } = await import('../../../src/analysis/providers/factory.js');
    const metric = { name: 'm', consecutiveErrorLimit: 4, successCondition: 'result < 1', provider: { prometheus: { query: 'up' } } } as MetricSpec;
    const result = measurementFromError(new ProviderError('config', 'invalid Prometheus address "x"', { field: 'provider.prometheus.address' }));
    expect(result).toEqual({ phase: 'Error', fatal: true, message: 'configuration error in provider.prometheus.address: invalid Prometheus address "x"' });
    const at = new Date('2026-12-01T00:00:00Z');
    const status = applyMeasurement(metric, undefined, result, { startedAt: at, finishedAt: at });
    expect(status.phase).toBe('Error');
    expect(status.message).toContain('provider.prometheus.address');
    // Building the provider never throws: no address anywhere is the same Error measurement.
    const built = providerFor(new ProviderFactory(), metric);
    expect('error' in built && built.error).toMatchObject({ phase: 'Error', fatal: true, message: expect.stringContaining('provider.prometheus.address') });
    // A transient error still retries within the limit.
    const transient = applyMeasurement(metric, undefined, { phase: 'Error', message: 'badResponse: x' }, { startedAt: at, finishedAt: at });
    expect(transient.phase).toBe('Running');
  });
});
