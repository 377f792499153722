import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { singleProviderSource, StaticProvider, type MetricSpec, type QueryOptions, type QueryResult } from '../../../src/analysis/index.js';
import { RangeBackedProvider } from '../../../src/backtest/history-provider.js';
import { judgeIncident } from '../../../src/backtest/incident.js';
import { replayAnalysis } from '../../../src/backtest/replay.js';
import { parseLookback, parseTime } from '../../../src/backtest/times.js';
import { boundariesOf } from '../../../src/backtest/html.js';

const T0 = Date.parse('2026-11-30T00:00:00Z');
const SCRAPE_MS = 15_000;

/** A Prometheus stand-in over a sampled gauge: an instant query sees the newest sample at or before t (5 min lookback). */
function gauge(value: (t: number) => number | undefined): StaticProvider {
  const at = (t: number): QueryResult => {
    const sampleAt = Math.floor((t - T0) / SCRAPE_MS) * SCRAPE_MS + T0;
    const v = sampleAt >= T0 && t - sampleAt <= 300_000 ? value(sampleAt) : undefined;
    return { kind: 'vector', samples: v === undefined ? [] : [{ labels: { revision: 'c1' }, value: v }] };
  };
  return new StaticProvider((_q: string, opts: QueryOptions) => {
    if (opts.range) {
      const values: [number, number][] = [];
      for (let t = opts.range.start.getTime(); t <= opts.range.end.getTime(); t += opts.range.stepMs) {
        const r = at(t);
        if (r.kind === 'vector' && r.samples[0]) values.push([t / 1000, r.samples[0].value]);
      }
      return { kind: 'matrix', series: values.length ? [{ labels: { revision: 'c1' }, values }] : [] };
    }
    return at(opts.time!.getTime());
  });
}

function metric(o: { threshold: number; intervalS: number; failureLimit: number; initialDelayS?: number }): MetricSpec {
  return {
    name: 'error-ratio',
    interval: `${o.intervalS}s`,
    ...(o.initialDelayS ? { initialDelay: `${o.initialDelayS}s` } : {}),
    failureLimit: o.failureLimit,
    successCondition: `result[0] <= ${o.threshold}`,
    failureCondition: `result[0] > ${o.threshold}`,
    provider: { prometheus: { query: 'max(error_ratio{revision="{{canary.revision}}"})' } },
  } as MetricSpec;
}

describe('replayAnalysis', () => {
  it('fails exactly failureLimit intervals after the first grid point past the jump (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 10, max: 120 }),
        fc.constantFrom(15, 30, 60),
        fc.integer({ min: 0, max: 3 }),
        async (jumpMin, intervalS, failureLimit) => {
          const jump = T0 + jumpMin * 60_000;
          const provider = gauge((t) => (t >= jump ? 0.2 : 0.01));
          const from = new Date(T0 + 5 * 60_000);
          const to = new Date(T0 + 180 * 60_000);
          const result = await replayAnalysis({
            metrics: [metric({ threshold: 0.05, intervalS, failureLimit })],
            templates: ['t'],
            providers: singleProviderSource(provider),
            templating: { canaryRevision: 'c1' },
            from,
            to,
          });
          // Straightforward expectation: measurements at from + k*interval; the first one that
          // sees a post-jump sample fails; the metric fails at failure number failureLimit+1.
          const step = intervalS * 1000;
          let k = 0;
          while (from.getTime() + k * step < jump) k++;
          const expected = from.getTime() + (k + failureLimit) * step;
          expect(result.phase).toBe('Failed');
          expect(result.decidedAt).toBe(new Date(expected).toISOString());
          expect(result.firstFailure?.at).toBe(new Date(from.getTime() + k * step).toISOString());
          expect(result.ranOut).toBe(false);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('never passes on missing data: an empty window is inconclusive, with its gap reported', async () => {
    const result = await replayAnalysis({
      metrics: [metric({ threshold: 0.05, intervalS: 60, failureLimit: 0 })],
      templates: ['t'],
      providers: singleProviderSource(gauge(() => undefined)),
      templating: { canaryRevision: 'c1' },
      from: new Date(T0),
      to: new Date(T0 + 600_000),
    });
    expect(result.phase).toBe('Inconclusive');
    expect(result.withData).toBe(0);
    expect(result.gaps).toHaveLength(1);
    const verdict = judgeIncident(result, new Date(T0 + 60_000));
    expect(verdict).toMatchObject({ caught: false, reason: 'no data' });
  });

  it('terminates a background metric at the end of the window and says so', async () => {
    const result = await replayAnalysis({
      metrics: [metric({ threshold: 0.05, intervalS: 60, failureLimit: 0 })],
      templates: ['t'],
      providers: singleProviderSource(gauge(() => 0.01)),
      templating: { canaryRevision: 'c1' },
      from: new Date(T0 + 60_000),
      to: new Date(T0 + 11 * 60_000),
    });
    expect(result).toMatchObject({ phase: 'Successful', ranOut: true, withData: 11, decidedAt: new Date(T0 + 11 * 60_000).toISOString() });
    expect(judgeIncident(result, new Date(T0 + 120_000))).toMatchObject({ caught: false, reason: 'condition never met' });
  });

  it('an initialDelay skips a warm-up spike that fails the judge without it', async () => {
    const spiky = gauge((t) => (t < T0 + 120_000 ? 0.3 : 0.01));
    const run = (initialDelayS?: number) =>
      replayAnalysis({
        metrics: [metric({ threshold: 0.05, intervalS: 30, failureLimit: 0, ...(initialDelayS ? { initialDelayS } : {}) })],
        templates: ['t'],
        providers: singleProviderSource(spiky),
        templating: { canaryRevision: 'c1' },
        from: new Date(T0),
        to: new Date(T0 + 600_000),
      });
    expect((await run()).phase).toBe('Failed');
    expect((await run(180)).phase).toBe('Successful');
  });
});

describe('RangeBackedProvider', () => {
  it('answers every grid time as the instant query would, with one range request per query (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(10, 30, 60), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 90 }), async (stepS, points, startOffsetS) => {
        const inner = gauge((t) => ((t - T0) / SCRAPE_MS) % 7);
        const start = new Date(T0 + startOffsetS * 1000);
        const end = new Date(start.getTime() + (points - 1) * stepS * 1000);
        const wrapped = new RangeBackedProvider(inner, { start, end, stepMs: stepS * 1000 });
        for (let i = 0; i < points; i += Math.max(1, Math.floor(points / 10))) {
          const time = new Date(start.getTime() + i * stepS * 1000);
          expect(await wrapped.query('q', { time })).toEqual(await inner.query('q', { time }));
        }
        expect(wrapped.requests).toBe(2); // one instant probe of the result type, one range
      }),
      { numRuns: 30 },
    );
  });

  it('passes off-grid times and range queries through', async () => {
    const inner = gauge(() => 1);
    const wrapped = new RangeBackedProvider(inner, { start: new Date(T0), end: new Date(T0 + 600_000), stepMs: 60_000 });
    await wrapped.query('q', { time: new Date(T0 + 90_000) });
    await wrapped.query('q', { range: { start: new Date(T0), end: new Date(T0 + 60_000), stepMs: 30_000 } });
    expect(inner.calls.map((c) => (c.opts.range ? 'range' : 'instant'))).toEqual(['instant', 'range']);
  });
});

describe('backtest inputs', () => {
  it('reads times and look-backs, and names the flag when it cannot', () => {
    const now = new Date('2026-12-01T12:00:00Z');
    expect(parseTime('now-6h', '--from', now).toISOString()).toBe('2026-12-01T06:00:00.000Z');
    expect(parseTime('2026-12-01T08:00:00Z', '--from', now).toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(parseTime('1764576000', '--to', now).toISOString()).toBe('2025-12-01T08:00:00.000Z');
    expect(() => parseTime('yesterday', '--from', now)).toThrow(/--from "yesterday" is not a time/);
    expect(parseLookback('30d', '--since')).toBe(30 * 86_400_000);
    expect(parseLookback('2w', '--since')).toBe(14 * 86_400_000);
    expect(parseLookback('90m', '--since')).toBe(90 * 60_000);
    expect(() => parseLookback('soon', '--since')).toThrow(/--since "soon"/);
  });

  it('finds the numeric boundaries of simple conditions for the chart', () => {
    expect(boundariesOf(metric({ threshold: 0.05, intervalS: 30, failureLimit: 0 }))).toEqual([
      { kind: 'success', op: '<=', value: 0.05 },
      { kind: 'failure', op: '>', value: 0.05 },
    ]);
  });
});
