/**
 * How long `clairvoyance backtest` takes over a 24-hour window at a 30 s interval, with
 * the range-backed replay (one query_range per query) beside one instant query per
 * measurement, against a private Prometheus holding 26 hours of backfilled history.
 * Needs the stack's Prometheus binary and promtool (`npm run stack:up`).
 *
 *   npx tsx test/bench/backtest-window.ts [--rounds 3]
 *
 * Prints each round and the ratio. Asserts nothing.
 */
import { parseArgs } from 'node:util';
import { ProviderFactory, type MetricSpec } from '../../src/analysis/index.js';
import { replayAnalysis } from '../../src/backtest/replay.js';
import { startPrometheusInstance } from '../support/prometheus-instance.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);
const HOUR = 3_600_000;
const SCRAPE_MS = 15_000;

const end = Math.floor((Date.now() - HOUR) / 60_000) * 60_000;
const start = end - 26 * HOUR;
const lines = ['# TYPE http_requests_total counter'];
for (const code of ['200', '500']) {
  let total = 0;
  for (let t = start; t <= end; t += SCRAPE_MS) {
    total += code === '200' ? 50 * 15 : t > end - 3 * HOUR ? 10 * 15 : 15 * 0.2;
    lines.push(`http_requests_total{revision="c1",code="${code}"} ${total} ${t / 1000}`);
  }
}
lines.push('# EOF', '');

const metrics: MetricSpec[] = [
  {
    name: 'error-rate',
    interval: '30s',
    // Unlimited: the run measures the whole window, so both paths do the same work.
    failureLimit: -1,
    inconclusiveLimit: -1,
    successCondition: 'result[0] < 0.05',
    provider: {
      prometheus: {
        query:
          'sum(rate(http_requests_total{revision="{{canary.revision}}",code=~"5.."}[2m])) / sum(rate(http_requests_total{revision="{{canary.revision}}"}[2m]))',
      },
    },
  } as MetricSpec,
];

const backfillStarted = Date.now();
const prom = await startPrometheusInstance('bench-backtest', { retention: '30d', backfill: lines.join('\n') });
process.stdout.write(
  `backfilled ${lines.length - 3} samples (26 h, 2 series, 15 s) and started Prometheus in ${((Date.now() - backfillStarted) / 1000).toFixed(1)} s\n`,
);
const factory = new ProviderFactory({ defaultPrometheusAddress: prom.url });
try {
  const from = new Date(end - 24 * HOUR);
  const to = new Date(end);
  const results: { prefetch: boolean; ms: number; measurements: number; requests: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const prefetch of [true, false]) {
      const t0 = performance.now();
      const res = await replayAnalysis({ metrics, templates: ['error-rate'], providers: factory, templating: { canaryRevision: 'c1' }, from, to, prefetch });
      const ms = performance.now() - t0;
      results.push({ prefetch, ms, measurements: res.timeline.length, requests: res.requests });
      process.stdout.write(
        `round ${r + 1} ${prefetch ? 'range-backed ' : 'instant each '}: ${(ms / 1000).toFixed(2)} s, ${res.timeline.length} measurements, ${res.requests} requests, verdict ${res.phase} (${res.timeline.filter((p) => p.phase === 'Failed').length} failing)\n`,
      );
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const fast = median(results.filter((x) => x.prefetch).map((x) => x.ms));
  const slow = median(results.filter((x) => !x.prefetch).map((x) => x.ms));
  process.stdout.write(
    `\n24 h window at 30 s (2,881 measurements): range-backed median ${(fast / 1000).toFixed(2)} s, instant-per-measurement median ${(slow / 1000).toFixed(2)} s, ratio ${(slow / fast).toFixed(1)}x\n`,
  );
} finally {
  factory.close();
  await prom.remove();
}
