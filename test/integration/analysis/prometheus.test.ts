// The analysis engine against the real Prometheus of the local stack: real
// processes export metrics for a canary and a stable revision, Prometheus
// scrapes them through file SD, and the engine measures and judges them.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeMeasurement } from '../../../src/analysis/measure.js';
import type { MeasureContext } from '../../../src/analysis/measure.js';
import { applyMeasurement } from '../../../src/analysis/metric-run.js';
import { PrometheusProvider } from '../../../src/analysis/providers/prometheus.js';
import type { MeasurementResult, MetricSpec } from '../../../src/analysis/types.js';
import { sampleLognormal, seededRandom } from '../../bench/analysis-distributions.js';
import { addScrapeTarget, eventually, prometheusUrl } from '../../support/cluster.js';

const suffix = randomBytes(3).toString('hex');
const canary = `canary-${suffix}`;
const stable = `stable-${suffix}`;

interface Workload {
  server: Server;
  timer: NodeJS.Timeout;
  removeTarget: () => void;
}

/** A stand-in pod: request and log counters, and a latency gauge around `latency` seconds. */
async function startWorkload(revision: string, latency: number, seed: number): Promise<Workload> {
  const registry = new Registry();
  const requests = new Counter({ name: 'http_requests_total', help: 'requests', registers: [registry] });
  const logs = new Counter({ name: 'log_messages_total', help: 'log lines', registers: [registry] });
  const gauge = new Gauge({ name: 'request_latency_seconds', help: 'latency of the last request', registers: [registry] });
  const rand = seededRandom(seed);
  const timer = setInterval(() => {
    requests.inc();
    logs.inc();
    gauge.set(sampleLognormal(rand, 1, Math.log(latency), 0.2)[0] as number);
  }, 100);
  const server = createServer((_req, res) => {
    void registry.metrics().then((body) => {
      res.writeHead(200, { 'Content-Type': registry.contentType });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const removeTarget = addScrapeTarget(`analysis-${revision}`, [`127.0.0.1:${port}`], { revision, job: 'analysis-it' });
  return { server, timer, removeTarget };
}

let workloads: Workload[] = [];
let prometheus: PrometheusProvider;

function ctx(runStartedAt = new Date()): MeasureContext {
  return {
    templating: { rollout: { name: 'orders', namespace: 'shop' }, canaryRevision: canary, stableRevision: stable, args: {} },
    now: new Date(),
    runStartedAt,
  };
}

async function until(metric: MetricSpec, phase: MeasurementResult['phase'], runStartedAt?: Date): Promise<MeasurementResult> {
  return eventually(
    `${metric.name} to be ${phase}`,
    async () => {
      const r = await takeMeasurement(metric, prometheus, ctx(runStartedAt));
      return r.phase === phase ? r : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
}

beforeAll(async () => {
  const url = prometheusUrl();
  if (!url) throw new Error('no Prometheus in the stack state');
  prometheus = new PrometheusProvider({ address: url, timeoutMs: 5000 });
  workloads = [await startWorkload(canary, 0.03, 1), await startWorkload(stable, 0.01, 2)];
});

afterAll(() => {
  for (const w of workloads) {
    clearInterval(w.timer);
    w.removeTarget();
    w.server.close();
  }
  prometheus?.close();
});

describe('analysis against the real Prometheus', () => {
  it('is online', async () => {
    expect(await prometheus.isOnline()).toBe(true);
  });

  it('the scraped and requests signals pass once Prometheus sees the canary', async () => {
    const scraped = await until({ name: 'scraped', provider: { signal: { kind: 'scraped' } } }, 'Successful');
    expect(scraped).toMatchObject({ value: '1', message: '1 canary target up' });
    const requests = await until({ name: 'requests', provider: { signal: { kind: 'requests' } } }, 'Successful');
    expect(Number(requests.value)).toBeGreaterThan(0);
    await until({ name: 'logs', provider: { signal: { kind: 'logs' } } }, 'Successful');
  });

  it('a missing trace signal is provisional in the grace period, then fails naming the signal', async () => {
    const traces: MetricSpec = { name: 'traces', provider: { signal: { kind: 'traces' } } };
    expect(await takeMeasurement(traces, prometheus, ctx())).toMatchObject({ phase: 'Inconclusive', provisional: true });
    const late = await takeMeasurement(traces, prometheus, ctx(new Date(Date.now() - 10 * 60_000)));
    expect(late.phase).toBe('Failed');
    expect(late.message).toMatch(
      /^signal traces missing: the canary emits no trace telemetry \(no series for sum\(rate\(spans_exported_total\{revision="canary-/,
    );
  });

  it('judges an instant query with a CEL condition over a one-element vector', async () => {
    const metric: MetricSpec = {
      name: 'up',
      count: 1,
      successCondition: 'result == 1',
      provider: { prometheus: { query: 'sum(up{revision="{{canary.revision}}"})' } },
    };
    const r = await until(metric, 'Successful');
    expect(r.value).toBe('[1]');
    const status = applyMeasurement(metric, undefined, r, { startedAt: new Date(), finishedAt: new Date() });
    expect(status).toMatchObject({ phase: 'Successful', count: 1, successful: 1 });
  });

  it('an empty result is inconclusive, a bad query an error, an unreachable Prometheus inconclusive', async () => {
    const empty: MetricSpec = { name: 'e', successCondition: 'result < 1', provider: { prometheus: { query: 'up{revision="does-not-exist"}' } } };
    expect((await takeMeasurement(empty, prometheus, ctx())).phase).toBe('Inconclusive');
    const bad: MetricSpec = { name: 'b', provider: { prometheus: { query: 'sum(' } } };
    expect(await takeMeasurement(bad, prometheus, ctx())).toMatchObject({ phase: 'Error', message: expect.stringMatching(/^badQuery: /) });
    const down = new PrometheusProvider({ address: 'http://127.0.0.1:1', timeoutMs: 2000 });
    expect(await takeMeasurement(empty, down, ctx())).toMatchObject({ phase: 'Inconclusive', message: expect.stringMatching(/^unreachable: /) });
  });

  it('runs range queries', async () => {
    const end = new Date();
    const r = await prometheus.query(`http_requests_total{revision="${canary}"}`, { range: { start: new Date(end.getTime() - 5000), end, stepMs: 1000 } });
    expect(r.kind).toBe('matrix');
    if (r.kind === 'matrix') expect(r.series[0]?.values.length).toBeGreaterThan(0);
  });

  it('the compare judge fails a canary at 3x the stable latency, both under an absolute threshold', async () => {
    const threshold: MetricSpec = {
      name: 'abs',
      successCondition: 'result.all(x, x < 0.1)',
      provider: { prometheus: { query: 'request_latency_seconds{job="analysis-it",revision=~"{{canary.revision}}|{{stable.revision}}"}' } },
    };
    const compare: MetricSpec = {
      name: 'latency',
      provider: {
        compare: {
          query: 'request_latency_seconds{revision="{{revision}}"}',
          against: 'stable',
          window: '15s',
          step: '1s',
          direction: 'increase',
          maxRatio: 1.5,
          pValue: 0.05,
          critical: true,
        },
      },
    };
    const verdict = await eventually(
      'enough samples for the compare judge',
      async () => {
        const r = await takeMeasurement(compare, prometheus, ctx());
        return r.phase === 'Inconclusive' ? undefined : r;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    expect(verdict).toMatchObject({ phase: 'Failed', critical: true });
    expect(verdict.message).toMatch(/beyond max ratio 1\.5/);
    expect((await takeMeasurement(threshold, prometheus, ctx())).phase).toBe('Successful');
  });
});
