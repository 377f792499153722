// The stand-in revision process itself: the scenarios only mean something if
// it really serves the error rate and latency it was given, drives its own
// traffic, and drops a telemetry family from /metrics when told to.
import { describe, expect, it } from 'vitest';
import { useStandIns } from '../../support/stand-ins.js';

const standIns = useStandIns();

function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ').at(-1)) : NaN;
}

async function metrics(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('stand-in process', () => {
  it('exports its error series at 0 before the first error, so rate() sees the first errors one scrape earlier', async () => {
    const s = await standIns.start({ revision: 'zero', errorRate: 0, latencyMs: 5, rps: 20, seed: 3, targetDirs: [] });
    await sleep(500);
    const text = await metrics(s.url);
    expect(sample(text, 'http_requests_total{code="500"}')).toBe(0);
    expect(sample(text, 'http_requests_total{code="200"}')).toBeGreaterThan(0);
  });

  it('serves its own traffic at the configured error rate and latency, and changes at run time', async () => {
    const s = await standIns.start({ revision: 'selftest', errorRate: 0.2, latencyMs: 30, latencySigma: 0.1, rps: 100, seed: 7, targetDirs: [] });
    await sleep(2000);
    let text = await metrics(s.url);
    const ok = sample(text, 'http_requests_total{code="200"}');
    const failed = sample(text, 'http_requests_total{code="500"}');
    // ~100 req/s for 2 s, about a fifth of them failing.
    expect(ok + failed).toBeGreaterThan(100);
    expect(failed / (ok + failed)).toBeGreaterThan(0.1);
    expect(failed / (ok + failed)).toBeLessThan(0.3);
    const mean = sample(text, 'http_request_duration_seconds_sum') / sample(text, 'http_request_duration_seconds_count');
    expect(mean).toBeGreaterThan(0.025);
    expect(mean).toBeLessThan(0.06);
    expect(sample(text, 'log_messages_total{level="error"}')).toBe(failed);
    expect(sample(text, 'spans_exported_total')).toBeGreaterThan(0);

    expect(await s.control({ errorRate: 0, telemetry: { traces: false } })).toMatchObject({
      errorRate: 0,
      telemetry: { requests: true, logs: true, traces: false },
    });
    const before = sample(await metrics(s.url), 'http_requests_total{code="500"}');
    await sleep(1000);
    text = await metrics(s.url);
    // In-flight requests decided before the change may still land; nothing after it.
    expect(sample(text, 'http_requests_total{code="500"}') - before).toBeLessThan(5);
    expect(text).not.toContain('spans_exported_total');

    await s.control({ telemetry: [] });
    expect((await metrics(s.url)).trim()).toBe('');
    await expect(s.control({ errorRate: 2 })).rejects.toThrow(/errorRate/);
  });
});
