import { describe, expect, it } from 'vitest';
import { compareProviderSchema } from '../../../src/api/index.js';
import { effectiveCompare } from '../../../src/analysis/defaults.js';
import { takeMeasurement } from '../../../src/analysis/measure.js';
import type { MeasureContext } from '../../../src/analysis/measure.js';
import { conditionInput, judgeQueryResult, measurementFromError } from '../../../src/analysis/measurement.js';
import { applyMeasurement } from '../../../src/analysis/metric-run.js';
import { ProviderFactory, providerKind } from '../../../src/analysis/providers/factory.js';
import { PrometheusProvider } from '../../../src/analysis/providers/prometheus.js';
import { ProviderError } from '../../../src/analysis/providers/provider.js';
import type { QueryResult } from '../../../src/analysis/providers/provider.js';
import { noopProvider, StaticProvider } from '../../../src/analysis/providers/static.js';
import type { MetricSpec } from '../../../src/analysis/types.js';
import { sampleLognormal, seededRandom } from '../../bench/analysis-distributions.js';

const now = new Date('2025-01-01T00:10:00Z');
const ctx: MeasureContext = {
  templating: { args: { service: 'orders' }, rollout: { name: 'orders', namespace: 'shop' }, canaryRevision: 'c4n', stableRevision: 's7b' },
  now,
  runStartedAt: new Date('2025-01-01T00:00:00Z'),
};

const errorRate: MetricSpec = {
  name: 'error-rate',
  successCondition: 'result[0] < 0.05',
  provider: { prometheus: { query: 'sum(rate(errors{service="{{args.service}}",revision="{{canary.revision}}"}[1m]))' } },
};

describe('conditionInput / judgeQueryResult', () => {
  it('orders vector values by labels', () => {
    expect(
      conditionInput({
        kind: 'vector',
        samples: [
          { labels: { p: 'b' }, value: 2 },
          { labels: { p: 'a' }, value: 1 },
        ],
      }),
    ).toEqual([1, 2]);
    expect(
      conditionInput({
        kind: 'matrix',
        series: [
          {
            labels: {},
            values: [
              [1, 1],
              [2, 3],
            ],
          },
        ],
      }),
    ).toEqual([1, 3]);
  });

  it('records the value and the reason', () => {
    expect(judgeQueryResult(errorRate, { kind: 'vector', samples: [{ labels: {}, value: 0.2 }] })).toEqual({
      phase: 'Failed',
      value: '[0.2]',
      message: 'value [0.2] did not meet successCondition "result[0] < 0.05"',
    });
    expect(judgeQueryResult(errorRate, { kind: 'vector', samples: [] })).toEqual({ phase: 'Inconclusive', message: 'query returned no data (empty vector)' });
  });

  it.each([
    [new ProviderError('unreachable', 'down'), 'Inconclusive'],
    [new ProviderError('timeout', 'slow'), 'Inconclusive'],
    [new ProviderError('badQuery', 'parse error'), 'Error'],
    [new ProviderError('unauthorized', '401'), 'Error'],
    [new Error('boom'), 'Error'],
  ])('maps %s to %s', (err, phase) => {
    expect(measurementFromError(err).phase).toBe(phase);
  });
});

describe('takeMeasurement', () => {
  it('renders the query and judges a prometheus metric', async () => {
    const p = new StaticProvider(() => ({ kind: 'vector', samples: [{ labels: {}, value: 0.01 }] }));
    expect(await takeMeasurement(errorRate, p, ctx)).toEqual({ phase: 'Successful', value: '[0.01]' });
    expect(p.calls[0]?.query).toBe('sum(rate(errors{service="orders",revision="c4n"}[1m]))');
    expect(p.calls[0]?.opts.time).toEqual(now);
  });

  it('the no-op provider never yields success', async () => {
    expect((await takeMeasurement(errorRate, noopProvider(), ctx)).phase).toBe('Inconclusive');
  });

  it('an unresolved placeholder is an Error naming it', async () => {
    const m: MetricSpec = { ...errorRate, provider: { prometheus: { query: 'x{a="{{args.nope}}"}' } } };
    expect(await takeMeasurement(m, noopProvider(), ctx)).toEqual({ phase: 'Error', message: 'unresolved placeholder {{args.nope}}' });
  });

  it('an unreachable Prometheus is inconclusive', async () => {
    const p = new StaticProvider(() => {
      throw new ProviderError('unreachable', 'connect ECONNREFUSED');
    });
    expect((await takeMeasurement(errorRate, p, ctx)).phase).toBe('Inconclusive');
  });

  const compare: MetricSpec = {
    name: 'latency',
    provider: {
      compare: {
        query: 'latency{revision="{{revision}}"}',
        against: 'stable',
        window: '10m',
        step: '15s',
        direction: 'increase',
        maxRatio: 1.5,
        pValue: 0.05,
        critical: true,
      },
    },
  };

  function rangeResponder(canaryScale: number): (q: string) => QueryResult {
    return (q) => {
      const rand = seededRandom(q.includes('c4n') ? 1 : 2);
      const values = sampleLognormal(rand, 40, Math.log(0.01 * (q.includes('c4n') ? canaryScale : 1)), 0.2);
      return { kind: 'matrix', series: [{ labels: {}, values: values.map((v, i): [number, number] => [i, v]) }] };
    };
  }

  it('compare: queries both sides over the same window, fails a 3x canary critically', async () => {
    const p = new StaticProvider(rangeResponder(3));
    const r = await takeMeasurement(compare, p, ctx);
    expect(r).toMatchObject({ phase: 'Failed', critical: true });
    expect(r.message).toMatch(/beyond max ratio 1\.5/);
    expect(p.calls.map((c) => c.query)).toEqual(['latency{revision="c4n"}', 'latency{revision="s7b"}']);
    expect(p.calls[0]?.opts.range).toEqual({ start: new Date(now.getTime() - 600_000), end: now, stepMs: 15_000 });
    const status = applyMeasurement({ ...compare, failureLimit: 5 }, undefined, r, { startedAt: now, finishedAt: now });
    expect(status.phase).toBe('Failed');
  });

  it('compare: a non-critical regression is only inconclusive', async () => {
    const soft: MetricSpec = { ...compare, provider: { compare: { ...compare.provider.compare!, critical: false } } };
    const r = await takeMeasurement(soft, new StaticProvider(rangeResponder(3)), ctx);
    expect(r.phase).toBe('Inconclusive');
    expect(r.critical).toBeUndefined();
    expect(r.message).toMatch(/^non-critical regression: /);
  });

  it('compare: passes a healthy canary; needs the other revision', async () => {
    expect((await takeMeasurement(compare, new StaticProvider(rangeResponder(1)), ctx)).phase).toBe('Successful');
    const baseline: MetricSpec = { ...compare, provider: { compare: { ...compare.provider.compare!, against: 'baseline' } } };
    expect(await takeMeasurement(baseline, noopProvider(), ctx)).toEqual({
      phase: 'Error',
      message: 'compare against baseline needs a baseline: set spec.strategy.canary.baseline: true on the Rollout',
    });
  });

  it('signal: generated query, provisional in grace, failing after', async () => {
    const m: MetricSpec = { name: 'scraped', provider: { signal: { kind: 'scraped' } } };
    const p = noopProvider();
    const early = await takeMeasurement(m, p, { ...ctx, now: new Date(ctx.runStartedAt.getTime() + 30_000) });
    expect(early).toMatchObject({ phase: 'Inconclusive', provisional: true });
    expect(p.calls[0]?.query).toBe('up{revision="c4n"}');
    expect((await takeMeasurement(m, p, ctx)).phase).toBe('Failed');
  });

  it('signal: a query override is templated', async () => {
    const m: MetricSpec = {
      name: 'requests',
      provider: { signal: { kind: 'requests', query: 'sum(rate(grpc_server_handled_total{rev="{{canary.revision}}"}[1m]))' } },
    };
    const p = new StaticProvider(() => ({ kind: 'vector', samples: [{ labels: {}, value: 4 }] }));
    expect((await takeMeasurement(m, p, ctx)).phase).toBe('Successful');
    expect(p.calls[0]?.query).toBe('sum(rate(grpc_server_handled_total{rev="c4n"}[1m]))');
  });
});

describe('ProviderFactory', () => {
  it('chooses by kind and caches by configuration', () => {
    const f = new ProviderFactory({ defaultPrometheusAddress: 'http://prom:9090' });
    const a = f.forMetric(errorRate);
    expect(a).toBeInstanceOf(PrometheusProvider);
    expect(f.forMetric({ ...errorRate, name: 'other' })).toBe(a);
    const own = f.forMetric({ ...errorRate, provider: { prometheus: { query: 'q', address: 'http://other:9090' } } });
    expect(own).not.toBe(a);
    expect((own as PrometheusProvider).options.address).toBe('http://other:9090');
    expect(f.forMetric({ name: 's', provider: { signal: { kind: 'scraped' } } })).toBe(a);
    f.close();
  });

  it('requires exactly one provider and an address', () => {
    expect(() => providerKind({})).toThrow('metric has no provider');
    expect(() => providerKind({ prometheus: { query: 'q' }, signal: { kind: 'logs' } })).toThrow(/several providers/);
    expect(() => new ProviderFactory().forMetric(errorRate)).toThrow(/--prometheus-url/);
  });
});

describe('compare defaults', () => {
  it('are the API schema’s', () => {
    const written = [
      { query: 'q', window: '5m' },
      { query: 'q', window: '5m', against: 'baseline' as const, direction: 'decrease' as const },
      { query: 'q', window: '5m', step: '10s', pValue: 0.01, critical: false, maxRatio: 1.2 },
    ];
    for (const spec of written) expect(effectiveCompare(spec)).toEqual(compareProviderSchema.parse(spec));
  });
});
